import ArgumentParser
import DriftCheck
import Logging

/// `--quiet` and `--verbose`, and the logger every command writes its messages through (swift-log, to standard
/// error, one line each).
struct LoggingOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only warnings and errors: no summary, no progress.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print what driftcheck does step by step.")
    var verbose = false

    func validate() throws {
        if quiet && verbose { throw ValidationError("--quiet and --verbose contradict each other") }
    }

    var level: Logger.Level { quiet ? .warning : verbose ? .debug : .info }

    /// The command's logger; the first call also sets up swift-log for the process.
    func logger() -> Logger {
        LogSetup.bootstrapOnce()
        var logger = Logger(label: "driftcheck")
        logger.logLevel = level
        return logger
    }

    /// A progress line on standard error while `body` scans, when standard error is a terminal and not quiet.
    func withProgress<R>(_ body: (ScanProgress?) throws -> R) rethrows -> R {
        guard !quiet, Terminal.stderrIsTerminal else { return try body(nil) }
        let progress = ScanProgress()
        let display = ProgressDisplay(progress)
        defer { display.stop() }
        return try body(progress)
    }
}

/// swift-log's process-wide setup, done once.
enum LogSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrapOnce() {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in DriftcheckLogHandler(label: label) }
    }
}

/// Writes each message as one line on standard error: `driftcheck: warning: …`, with control characters cleaned
/// (messages quote names from the scanned tree) and metadata appended as `key=value`.
struct DriftcheckLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let prefix =
            switch event.level {
            case .trace, .debug: "debug: "
            case .info, .notice: ""
            case .warning: "warning: "
            case .error, .critical: "error: "
            }
        var text = "driftcheck: \(prefix)\(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        if !merged.isEmpty {
            text += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        // On a terminal a progress line may be showing: erase it first, so the message starts a clean line.
        Terminal.writeError((Terminal.stderrIsTerminal ? "\r\u{1B}[K" : "") + TerminalText.clean(text))
    }
}
