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

    init(directory: String) throws {
        self.directory = directory
        let started = try CommandLineTool.run("/bin/bash", [Self.script, "start", directory], timeout: 300)
        guard started.status == 0 else {
            throw Fixture.FixtureError(message: "PostgreSQL did not start: \(started.stderr)")
        }
        url = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func run(_ command: String) throws -> RunResult {
        try CommandLineTool.run("/bin/bash", [Self.script, command, directory], timeout: 120)
    }

    deinit { _ = try? run("stop") }
}
