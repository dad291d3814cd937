import Foundation
import Testing

@testable import DriftCheck

/// A `driftcheck-collector serve` started by a test on a free loopback port, stopped (or killed) by it.
final class CollectorProcess: @unchecked Sendable {
    let process = Process()
    let url: String
    let store: String
    let log: String

    /// The collector binary built beside the test bundle.
    static var binary: String {
        URL(fileURLWithPath: CommandLineTool.driftcheck).deletingLastPathComponent()
            .appendingPathComponent("driftcheck-collector").path
    }

    /// Runs `driftcheck-collector` with `arguments` (token, hosts, migrate).
    @discardableResult
    static func run(_ arguments: [String]) throws -> RunResult {
        try CommandLineTool.run(binary, arguments)
    }

    /// Makes a live enrollment token in `store` and writes it to `file` (mode 0600); returns its id.
    @discardableResult
    static func token(store: String, file: String) throws -> String {
        let made = try run(["token", "create", "--store", store, "--note", "test"])
        #expect(made.status == 0, "\(made.stderr)")
        FileManager.default.createFile(
            atPath: file, contents: Data(made.stdout.utf8), attributes: [.posixPermissions: 0o600])
        // "driftcheck-collector: token ID created; …"
        let words = made.stderr.split(separator: " ")
        return words.firstIndex(of: "token").map { String(words[$0 + 1]) } ?? ""
    }

    init(store: String, directory: String, extra: [String] = []) throws {
        self.store = store
        let ready = directory + "/ready-\(UUID().uuidString)"
        log = directory + "/collector-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--store", store, "--listen", "127.0.0.1:0", "--ready-file", ready] + extra
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var found: String? = nil
        for _ in 0..<600 {
            if let text = try? String(contentsOfFile: ready, encoding: .utf8), text.hasSuffix("\n") {
                found = text.trimmingCharacters(in: .whitespacesAndNewlines)
                break
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        guard let found else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Fixture.FixtureError(message: "the collector did not start: \(text)")
        }
        url = found
    }

    var pid: Int32 { process.processIdentifier }

    /// Peak resident memory so far, in KiB (VmHWM).
    var peakKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    func stop(signal: Int32 = SIGTERM) {
        guard process.isRunning else { return }
        kill(pid, signal)
        process.waitUntilExit()
    }

    deinit { stop(signal: SIGKILL) }

    /// One request with curl (an HTTP client independent of driftcheck's): status and body.
    func request(
        _ path: String, method: String = "GET", bodyFile: String? = nil, headers: [String: String] = [:]
    ) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-S", "-o", "-", "-w", "\n%{http_code}", "-X", method, url + path]
        if let bodyFile { arguments += ["--data-binary", "@" + bodyFile] }
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        let result = try CommandLineTool.run("/usr/bin/curl", arguments)
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return (status, lines.joined(separator: "\n"))
    }

    /// GETs `path` and decodes its JSON.
    func json(_ path: String) throws -> JSONValue {
        let answer = try request(path)
        #expect(answer.status == 200, "\(path): \(answer.body)")
        return try JSONParser.parse(Array(answer.body.utf8))
    }
}

/// A throwaway PostgreSQL cluster (Fixtures/tools/pg-cluster.sh): initdb and pg_ctl in a temporary directory.
final class PostgresCluster: @unchecked Sendable {
    let directory: String
    let url: String

    static let script = FixtureFiles.path("tools/pg-cluster.sh")

    /// A cluster in a new directory of its own under /tmp: the server runs as `postgres`, which must reach it (a
    /// test's temporary directory is private).
    convenience init() throws {
        var template = Array("/tmp/driftcheck-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Fixture.FixtureError(message: "mkdtemp failed") }
        let path = String(cString: made)
        chmod(path, 0o755)
        try self.init(directory: path)
    }

    init(directory: String) throws {
        self.directory = directory
        let started = Self.script(["start", directory])
        guard started.status == 0 else {
            throw Fixture.FixtureError(message: "PostgreSQL did not start: \(started.output)")
        }
        url = started.output.split(separator: "\n").last.map(String.init) ?? ""
    }

    func run(_ command: String) throws -> (status: Int32, output: String) {
        Self.script([command, directory])
    }

    /// Runs the script with posix_spawn and waitpid, its output in a file: the server it starts outlives it, and
    /// Foundation's Process was seen to miss the script's exit then.
    private static func script(_ arguments: [String]) -> (status: Int32, output: String) {
        let output = "/tmp/driftcheck-pg-script-\(UUID().uuidString).log"
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ["/bin/bash", Self.script] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", &actions, nil, &cArguments, environ) == 0 else { return (127, "") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return ((status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F), text)
    }

    deinit {
        _ = try? run("stop")
        try? FileManager.default.removeItem(atPath: directory)
    }
}
