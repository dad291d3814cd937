import Foundation
import Testing

@testable import DriftCheck

/// `check` killed with SIGKILL at any moment, or meeting a full disk, leaves nothing partial behind: only complete,
/// verifiable manifests and reports, and the next run succeeds.
@Suite("Crash consistency and full disks")
struct CrashConsistencyTests {
    private final class Setup {
        let fixture: Fixture
        let baselines: String
        let reports: String

        init() throws {
            fixture = try Fixture()
            try fixture.populateImage()
            // Enough work that a run lasts a while: many small files and a few large ones.
            let made = try CommandLineTool.shell(
                """
                set -e
                mkdir -p '\(fixture.root)/usr/lib/app'
                for i in $(seq 1 3000); do echo "file $i" > '\(fixture.root)/usr/lib/app/f'$i; done
                for i in 1 2 3; do dd if=/dev/urandom of='\(fixture.root)/usr/lib/app/blob'$i bs=1M count=48 \
                    status=none; done
                """)
            #expect(made.status == 0, "\(made.stderr)")
            baselines = fixture.directory.url("baselines")
            try fixture.directory.makeDirectory("baselines")
            let baseline = try CommandLineTool.driftcheck(
                "baseline", "--root", fixture.root, "--image", "web-2026.11", "--key", fixture.key, "--out",
                baselines + "/web-2026.11.jsonl", "--quiet")
            #expect(baseline.status == 0, "\(baseline.stderr)")
            reports = fixture.directory.url("reports")
        }

        var checkArguments: [String] {
            [
                "check", "--root", fixture.root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines",
                baselines,
                "--reports", reports, "--keep", "1000", "--full",
            ]
        }

        /// Files already checked (results are never rewritten in place, so each is checked once).
        private var checked = Set<String>()

        /// Every visible manifest verifies and every visible report is a complete JSON report.
        func assertOnlyCompleteResults(_ context: String) throws {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []
            for name in names where !name.hasPrefix(".") && !checked.contains(name) {
                if !name.hasSuffix(".sig") { checked.insert(name) }
                let path = reports + "/" + name
                if name.hasSuffix(".manifest.jsonl") {
                    let verified = try CommandLineTool.driftcheck("verify", path, "--pubkey", fixture.pub)
                    #expect(verified.status == 0, "\(context): \(name): \(verified.stderr)")
                } else if name.hasSuffix(".report.json") {
                    #expect(
                        try Fixture.validate("report", path).status == 0, "\(context): \(name) is not a complete report"
                    )
                    // The signature is renamed into place first: a report in place always has it.
                    #expect(FileManager.default.fileExists(atPath: path + ".sig"), "\(context): \(name) unsigned")
                } else if name.hasSuffix(".manifest.jsonl.sig") || name.hasSuffix(".report.json.sig") {
                    // A signature renamed into place just before its file: harmless, removed by the next run.
                    continue
                } else {
                    Issue.record("\(context): unexpected file \(name)")
                }
            }
        }
    }

    @Test("50 SIGKILLs at random moments of check leave only complete results, and the next run succeeds")
    func killedChecks() throws {
        let setup = try Setup()
        var durations: [Double] = []
        for _ in 0..<3 {
            let started = Date()
            let run = try CommandLineTool.run(CommandLineTool.driftcheck, setup.checkArguments)
            #expect(run.status == 0, "\(run.stderr)")
            durations.append(Date().timeIntervalSince(started))
        }
        // The window the kills are spread over: the whole run (scan, signing, comparison, report writing). A run
        // that finishes before its kill (the machine got faster) narrows the window, so that every kill counted
        // lands mid-run whatever the load.
        var window = durations.min()!
        let kills = ScanRaceTests.slow ? 50 : 12
        var generator = SystemRandomNumberGenerator()
        var killed = 0
        var attempts = 0
        while killed < kills && attempts < kills * 4 {
            attempts += 1
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLineTool.driftcheck)
            process.arguments = setup.checkArguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(Double.random(in: 0...(window * 0.95), using: &generator) * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killed += 1 } else { window *= 0.8 }
            try setup.assertOnlyCompleteResults("after attempt \(attempts)")
        }
        print(
            "killed \(killed) runs mid-way in \(attempts) attempts "
                + "(a run took \(String(format: "%.2f", durations.min()!)) s)"
        )
        #expect(killed == kills)
        let next = try CommandLineTool.run(CommandLineTool.driftcheck, setup.checkArguments)
        #expect(next.status == 0, "\(next.stderr)")
        try setup.assertOnlyCompleteResults("after the next run")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: setup.reports).filter {
            $0.contains(".tmp-")
                || ($0.hasSuffix(".sig") && access(setup.reports + "/" + String($0.dropLast(4)), F_OK) != 0)
        }
        #expect(leftovers.isEmpty, "the next run clears what killed runs left: \(leftovers)")
    }

    @Test(
        "a full disk gives exit 2, a message naming the file, and no partial output",
        .enabled(if: ScanRaceTests.slow && geteuid() == 0))
    func fullDisk() throws {
        let setup = try Setup()
        let mountPoint = setup.fixture.directory.url("small-disk")
        try setup.fixture.directory.makeDirectory("small-disk")
        let mounted = try CommandLineTool.shell("mount -t tmpfs -o size=256k,mode=0755 tmpfs '\(mountPoint)'")
        try #require(mounted.status == 0, "\(mounted.stderr)")
        defer { _ = try? CommandLineTool.shell("umount '\(mountPoint)'") }
        // check: the manifest of 3,000 files does not fit in 256 KiB.
        var arguments = setup.checkArguments
        arguments[arguments.firstIndex(of: setup.reports)!] = mountPoint + "/reports"
        let checked = try CommandLineTool.run(CommandLineTool.driftcheck, arguments)
        #expect(checked.status == 2)
        #expect(checked.stderr.lowercased().contains("no space left on device"), "\(checked.stderr)")
        #expect(checked.stderr.contains(mountPoint + "/reports/"), "the message names the file")
        #expect(!checked.stderr.contains("\n") || checked.stderr.split(separator: "\n").count == 1, "one line")
        let left = try FileManager.default.contentsOfDirectory(atPath: mountPoint + "/reports").filter {
            $0 != ".driftcheck.lock"
        }
        #expect(left.isEmpty, "no partial output: \(left)")
        // scan --out and compare --out behave the same.
        let scanned = try CommandLineTool.driftcheck(
            "scan", "--root", setup.fixture.root, "--key", setup.fixture.key, "--out", mountPoint + "/m.jsonl",
            "--quiet")
        #expect(scanned.status == 2)
        #expect(scanned.stderr.lowercased().contains("no space left on device"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint) == ["reports"])
    }
}
