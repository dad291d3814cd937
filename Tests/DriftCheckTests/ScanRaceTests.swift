import Foundation
import Testing

@testable import DriftCheck

/// Trees that change under the scanner, raced by another process, and trees the scanning user may not read.
/// A hash is recorded only for content read completely and consistently; a link is never followed.
@Suite("Races and permissions")
struct ScanRaceTests {
    /// The long and privileged cases run when DRIFTCHECK_SLOW_TESTS=1 (`.ci/run` sets it).
    static let slow = ProcessInfo.processInfo.environment["DRIFTCHECK_SLOW_TESTS"] == "1"

    /// Starts `script` (Python) in the background with `arguments`; the caller terminates it.
    private func background(_ script: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        try process.run()
        return process
    }

    @Test("a file that grows while it is hashed is recorded as changed while being read, without a hash")
    func growingFile() throws {
        let fixture = try Fixture()
        let file = fixture.root + "/growing.log"
        #expect(try CommandLineTool.shell("dd if=/dev/urandom of='\(file)' bs=1M count=384 status=none").status == 0)
        let writer = try background(
            """
            import sys, time
            with open(sys.argv[1], "ab", buffering=0) as f:
                end = time.time() + 120
                while time.time() < end:
                    f.write(b"x" * 4096)
                    time.sleep(0.0005)
            """, [file])
        defer { writer.terminate() }
        // Scan only once the writer is appending (a loaded machine may start it late).
        let initial: Int64 = 384 << 20
        for _ in 0..<200 {
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0
            if size > initial { break }
            usleep(50_000)
        }
        let entry = try #require(
            try fixture.entries(fixture.scan("m.jsonl")).first { $0.path == Array("/growing.log".utf8) })
        #expect(entry.sha256 == nil, "no hash for content that changed while read")
        #expect(entry.error?.hasPrefix("changed while being read") == true, "\(entry.error ?? "no error")")
    }

    @Test("a file swapped with a symbolic link to /etc/shadow while scanned is never followed nor given a wrong hash")
    func swappedForLink() throws {
        let fixture = try Fixture()
        let directory = fixture.root + "/race"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for index in 0..<200 { try fixture.directory.write("image/race/filler-\(index)", "filler \(index)\n") }
        // The target exists before the racer starts (a loaded machine may start it late); renames keep it existing.
        try fixture.directory.write("image/race/target", "regular\n")
        let racer = try background(
            """
            import os, sys, time
            d = sys.argv[1]
            end = time.time() + 120
            while time.time() < end:
                try:
                    os.symlink("/etc/shadow", d + "/.link"); os.rename(d + "/.link", d + "/target")
                    with open(d + "/.file", "w") as f: f.write("regular\\n")
                    os.rename(d + "/.file", d + "/target")
                except FileExistsError:
                    os.unlink(d + "/.link")
            """, [directory])
        defer { racer.terminate() }
        usleep(200_000)
        let regular = Array("regular\n".utf8).withUnsafeBytes { SHA256Hasher.digest($0) }
        var outcomes: [String: Int] = [:]
        for run in 0..<(Self.slow ? 60 : 15) {
            let entries = try fixture.entries(fixture.scan("m\(run).jsonl"))
            let target = try #require(entries.first { $0.path == Array("/race/target".utf8) })
            switch (target.type, target.sha256, target.error) {
            case (.symlink, nil, nil):
                #expect(target.target == Array("/etc/shadow".utf8))
                outcomes["link", default: 0] += 1
            case (.file, let digest?, nil):
                #expect(digest == regular, "a file entry carries the regular file's hash and nothing else")
                outcomes["file", default: 0] += 1
            case (_, nil, let error?):
                outcomes[error, default: 0] += 1
            default:
                Issue.record("unexpected entry: \(target)")
            }
        }
        print("race outcomes over \(Self.slow ? 60 : 15) scans: \(outcomes)")
        #expect(outcomes.values.reduce(0, +) == (Self.slow ? 60 : 15), "\(outcomes)")
    }

    @Test(
        "as an unprivileged user, an unreadable directory and file are recorded with an error and the scan completes",
        .enabled(if: ScanRaceTests.slow && geteuid() == 0))
    func unreadableAsUnprivilegedUser() throws {
        let fixture = try Fixture()
        let work = fixture.directory.url("unprivileged")
        let made = try CommandLineTool.shell(
            """
            set -e
            mkdir -p '\(work)/tree/open' '\(work)/tree/locked' '\(work)/out'
            echo public > '\(work)/tree/open/readme'
            echo secret > '\(work)/tree/secret'
            echo inner > '\(work)/tree/locked/inner'
            chmod 000 '\(work)/tree/secret' '\(work)/tree/locked'
            cp '\(fixture.key)' '\(work)/k.key'
            chown nobody '\(work)/k.key' '\(work)/out'
            chmod 755 '\(fixture.directory.path)' '\(work)' '\(work)/tree'
            """)
        #expect(made.status == 0, "\(made.stderr)")
        let scanned = try CommandLineTool.run(
            "/usr/bin/setpriv",
            [
                "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", CommandLineTool.driftcheck, "scan",
                "--root",
                work + "/tree", "--key", work + "/k.key", "--out", work + "/out/m.jsonl", "--quiet",
            ])
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let entries = try fixture.entries(work + "/out/m.jsonl")
        let secret = try #require(entries.first { $0.path == Array("/secret".utf8) })
        #expect(secret.sha256 == nil)
        #expect(secret.error == "cannot open: permission denied" || secret.error?.contains("ermission") == true)
        let locked = try #require(entries.first { $0.path == Array("/locked".utf8) })
        #expect(locked.error?.contains("ermission") == true, "\(locked.error ?? "no error")")
        #expect(entries.contains { $0.path == Array("/open/readme".utf8) && $0.sha256 != nil })
        #expect(!entries.contains { $0.path == Array("/locked/inner".utf8) })
        // The trailer counts the errors, and the comparison reports unreadable entries rather than passing them.
        let text = try String(contentsOfFile: work + "/out/m.jsonl", encoding: .utf8)
        #expect(text.contains(#""errors":2"#))
    }
}
