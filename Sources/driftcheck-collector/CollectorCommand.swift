import ArgumentParser
import DriftCheck
import DriftCheckCollector
import Glibc
import Logging

@main
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driftcheck-collector",
        abstract: "The collector driftcheck hosts push their signed reports to (driftcheck serve runs it).",
        discussion: """
            The store is an SQLite file (--store sqlite:PATH, the default) or a PostgreSQL database \
            (--store postgresql://USER@HOST:PORT/DATABASE; the password from PGPASSWORD). Hosts enroll once with a \
            token (`token create`), and the collector pins their key.

            EXIT CODES: 0 done; 2 usage error, or the store cannot be opened or migrated.
            """,
        version: HostInfo.toolVersion,
        subcommands: [ServeCommand.self, TokenCommand.self, HostsCommand.self, CopyCommand.self, MigrateCommand.self]
    )

    /// Maps every outcome to the documented exit codes, with one line for an error.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            Glibc.exit(0)
        } catch let error as DriftCheckError {
            standardError("driftcheck-collector: \(error)")
            Glibc.exit(2)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            standardError("driftcheck-collector: \(TerminalText.clean(message))")
            Glibc.exit(2)
        }
    }
}

/// `--store`, shared by every command.
struct StoreOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE (password from PGPASSWORD).", valueName: "STORE"))
    var store = "sqlite:/var/lib/driftcheck-collector/collector.db"

    var logger: Logger {
        var logger = Logger(label: "driftcheck-collector")
        logger.logLevel = .notice
        return logger
    }
}

/// Writes one line to standard error.
func standardError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
