import Foundation

/// The result of running a program.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs the built `driftcheck` executable (and other tools) as a user would.
enum CommandLineTool {
    /// The `driftcheck` binary built beside the test bundle.
    static var driftcheck: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("driftcheck").path
    }

    /// Runs `executable` with `arguments`; kills it after `timeout` seconds (the status is then 137).
    @discardableResult
    static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String]? = nil,
        timeout: Double = 120
    ) throws -> RunResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let outputData = ReadInBackground(output.fileHandleForReading)
        let errorData = ReadInBackground(errors.fileHandleForReading)
        while process.isRunning {
            if Date() > deadline {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(2000)
        }
        process.waitUntilExit()
        return RunResult(
            status: process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus,
            stdout: String(decoding: outputData.wait(), as: UTF8.self),
            stderr: String(decoding: errorData.wait(), as: UTF8.self))
    }

    /// Runs `driftcheck` with `arguments`.
    @discardableResult
    static func driftcheck(_ arguments: String..., in directory: String? = nil, timeout: Double = 120) throws
        -> RunResult
    {
        try run(driftcheck, arguments, in: directory, timeout: timeout)
    }

    /// Waits (up to 30 s) until another process holds the flock on `path`, so a test never races its own helper.
    static func waitUntilLocked(_ path: String) throws {
        for _ in 0..<600 {
            if try run("/usr/bin/flock", ["-n", path, "true"]).status != 0 { return }
            usleep(50_000)
        }
    }

    /// Runs a shell command line (for openssl, setcap, mkfifo …).
    @discardableResult
    static func shell(_ command: String, in directory: String? = nil) throws -> RunResult {
        try run("/bin/sh", ["-c", command], in: directory)
    }
}

/// Drains a pipe on another thread so a chatty child cannot block on a full pipe.
private final class ReadInBackground: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
