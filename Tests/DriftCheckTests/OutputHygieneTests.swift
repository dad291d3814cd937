import Foundation
import Testing

@testable import DriftCheck

/// What driftcheck leaves on disk: file modes whatever the umask, no shared directories, and runs of `check` that
/// never mix their output.
@Suite("Output hygiene and concurrent runs")
struct OutputHygieneTests {
    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test("manifests, signatures and reports are written 0640 under any umask, or with --mode; wider modes are refused")
    func modes() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let manifest = fixture.directory.url("m.jsonl")
        let scanned = try CommandLineTool.shell(
            "umask 000; '\(CommandLineTool.driftcheck)' scan --root '\(fixture.root)' --key '\(fixture.key)' "
                + "--out '\(manifest)' --quiet")
        #expect(scanned.status == 0, "\(scanned.stderr)")
        #expect(try mode(manifest) == 0o640)
        #expect(try mode(manifest + ".sig") == 0o640)
        let report = fixture.directory.url("report.json")
        let compared = try CommandLineTool.shell(
            "umask 000; '\(CommandLineTool.driftcheck)' compare --baseline '\(manifest)' --host '\(manifest)' "
                + "--pubkey '\(fixture.pub)' --format json --out '\(report)'")
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(try mode(report) == 0o640)
        let open = fixture.directory.url("open.jsonl")
        let opened = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", open, "--quiet", "--mode", "0644")
        #expect(opened.status == 0)
        #expect(try mode(open) == 0o644)
        let wide = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", fixture.directory.url("w.jsonl"), "--quiet",
            "--mode", "0666")
        #expect(wide.status == 2)
        #expect(wide.stderr.contains("--mode"))
        #expect(access(fixture.directory.url("w.jsonl"), F_OK) != 0)
    }

    private func check(_ fixture: Fixture, reports: String, baselines: String, _ extra: [String] = []) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineTool.driftcheck)
        process.arguments =
            [
                "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines",
                baselines, "--reports", reports,
            ] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    private func setUp() throws -> (Fixture, baselines: String, reports: String) {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baselines = fixture.directory.url("baselines")
        try fixture.directory.makeDirectory("baselines")
        let made = try CommandLineTool.driftcheck(
            "baseline", "--root", fixture.root, "--image", "web-2026.11", "--key", fixture.key, "--out",
            baselines + "/web-2026.11.jsonl", "--quiet")
        #expect(made.status == 0, "\(made.stderr)")
        return (fixture, baselines, fixture.directory.url("reports"))
    }

    @Test("check refuses an exposed key before it creates, locks or prunes anything")
    func exposedKeyFirst() throws {
        let (fixture, baselines, reports) = try setUp()
        chmod(fixture.key, 0o640)
        let result = try CommandLineTool.driftcheck(
            "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines", baselines,
            "--reports", reports)
        #expect(result.status == 2)
        #expect(result.stderr.contains("accessible by group or others"))
        #expect(access(reports, F_OK) != 0, "no reports directory was made")
    }

    @Test("check refuses a reports directory that others can write to")
    func sharedReportsDirectory() throws {
        let (fixture, baselines, reports) = try setUp()
        try fixture.directory.makeDirectory("reports")
        chmod(reports, 0o777)
        let result = try CommandLineTool.driftcheck(
            "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines", baselines,
            "--reports", reports)
        #expect(result.status == 2)
        #expect(result.stderr.contains("writable by others"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports).isEmpty)
    }

    @Test("checks started together with --wait queue on the lock and each leaves a complete, verifiable run")
    func queuedChecks() throws {
        let (fixture, baselines, reports) = try setUp()
        let runs = (0..<4).map { _ in check(fixture, reports: reports, baselines: baselines, ["--wait"]) }
        for run in runs { try run.run() }
        for run in runs { run.waitUntilExit() }
        #expect(runs.map(\.terminationStatus) == [0, 0, 0, 0])
        let names = try FileManager.default.contentsOfDirectory(atPath: reports).filter { !$0.hasPrefix(".") }
        let manifests = names.filter { $0.hasSuffix(".manifest.jsonl") }
        #expect(manifests.count == 4, "\(names)")
        #expect(names.filter { $0.hasSuffix(".report.json") }.count == 4)
        #expect(names.filter { $0.hasSuffix(".manifest.jsonl.sig") }.count == 4)
        for manifest in manifests {
            #expect(
                try CommandLineTool.driftcheck("verify", reports + "/" + manifest, "--pubkey", fixture.pub).status == 0)
        }
    }

    @Test("a check that meets a held lock fails at once with a clear message, or with --wait says it waits and runs")
    func heldLock() throws {
        let (fixture, baselines, reports) = try setUp()
        try fixture.directory.makeDirectory("reports")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [reports + "/.driftcheck.lock", "sleep", "4"]
        try holder.run()
        try CommandLineTool.waitUntilLocked(reports + "/.driftcheck.lock")
        let failed = try CommandLineTool.driftcheck(
            "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines", baselines,
            "--reports", reports)
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("another driftcheck check is running"))
        #expect(failed.stderr.contains("--wait"))
        let waited = try CommandLineTool.driftcheck(
            "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines", baselines,
            "--reports", reports, "--wait")
        holder.waitUntilExit()
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stderr.contains("waiting for another driftcheck check"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports).contains { $0.hasSuffix(".report.json") })
    }
}
