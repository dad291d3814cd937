import Foundation
import Testing

@testable import DriftCheck

@Suite("Baselines, recommendations and check")
struct CheckAndLifecycleTests {
    /// An image tree with a stamp and baselines for it (and optionally a newer image of the same family).
    private func makeBaselines(_ fixture: Fixture, newer: Bool) throws -> String {
        try fixture.populateImage()
        let baselines = fixture.directory.url("baselines")
        try fixture.directory.makeDirectory("baselines")
        let made = try CommandLineTool.driftcheck(
            "baseline", "--root", fixture.root, "--image", "web-2026.10", "--key", fixture.key, "--out",
            baselines + "/web-2026.10.jsonl", "--quiet")
        #expect(made.status == 0, "\(made.stderr)")
        if newer {
            sleep(1)
            let next = fixture.directory.url("next")
            #expect(try CommandLineTool.shell("cp -a '\(fixture.root)' '\(next)'").status == 0)
            let newerMade = try CommandLineTool.driftcheck(
                "baseline", "--root", next, "--image", "web-2026.11", "--key", fixture.key, "--out",
                baselines + "/web-2026.11.jsonl", "--quiet")
            #expect(newerMade.status == 0)
        }
        return baselines
    }

    @Test("compare without --baseline finds the host's image in the baselines directory and sees it superseded")
    func findsBaselineAndSupersession() throws {
        let fixture = try Fixture()
        let baselines = try makeBaselines(fixture, newer: true)
        let host = fixture.directory.url("host.jsonl")
        #expect(
            try CommandLineTool.driftcheck(
                "scan", "--root", fixture.root, "--key", fixture.key, "--out", host, "--quiet"
            ).status == 0)
        let result = try CommandLineTool.run(
            CommandLineTool.driftcheck,
            ["compare", "--host", host, "--pubkey", fixture.pub, "--baselines", baselines, "--format", "json"])
        #expect(result.status == 0, "no drift: \(result.stderr)")
        let report = try JSONParser.parse(Array(result.stdout.utf8.dropLast()))
        #expect(report["baseline"]?["image"]?.stringValue == "web-2026.10")
        #expect(report["superseded_by"]?.stringValue == "web-2026.11")
        #expect(report["recommendation"]?["action"]?.stringValue == "rebuild")
        let text = try CommandLineTool.run(
            CommandLineTool.driftcheck, ["compare", "--host", host, "--pubkey", fixture.pub, "--baselines", baselines])
        #expect(text.stdout.contains("image superseded: a newer baseline of this image family exists (web-2026.11)"))
        let missing = try CommandLineTool.run(
            CommandLineTool.driftcheck,
            ["compare", "--host", host, "--pubkey", fixture.pub, "--baselines", fixture.directory.url("nowhere")])
        #expect(missing.status == 2)
    }

    @Test("an image older than the policy's maximum age is recommended for a rebuild")
    func maximumAge() throws {
        let fixture = try Fixture()
        let baselines = try makeBaselines(fixture, newer: false)
        let host = try fixture.scan("host.jsonl", image: "web-2026.10")
        let policyFile = try fixture.directory.write("policy.yaml", "rebuild:\n  max_age_days: 30\n")
        var comparison = Comparison(
            baselinePath: nil, hostPath: host, trust: TrustRoots(sharedKeyPaths: [fixture.pub]))
        comparison.baselinesDirectory = baselines
        comparison.policyPath = policyFile
        let fresh = try comparison.run()
        #expect(fresh.recommendation.action == .none)
        comparison.now += 40 * 86_400
        let old = try comparison.run()
        #expect(old.lifecycle.ageDays == 40)
        #expect(old.recommendation.action == .rebuild)
        #expect(old.recommendation.reasons == ["image is 40 days old, older than the policy's maximum of 30 days"])
    }

    @Test("baselining an unchanged image twice leaves its stamp untouched, so both baselines record it alike")
    func identicalStampIsLeftAlone() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        func baseline(_ name: String, _ image: String) throws -> FileEntry? {
            let out = fixture.directory.url(name)
            let made = try CommandLineTool.driftcheck(
                "baseline", "--root", fixture.root, "--image", image, "--key", fixture.key, "--out", out, "--quiet")
            #expect(made.status == 0, "\(made.stderr)")
            return try fixture.entries(out).first { $0.path == Array("/etc/driftcheck/image-id".utf8) }
        }
        let first = try #require(try baseline("first.jsonl", "web-2026.11"))
        sleep(1)
        let second = try #require(try baseline("second.jsonl", "web-2026.11"))
        #expect(second == first, "same inode, mtime, ctime and content")
        // A new id is written, atomically: a new inode with the new content.
        let third = try #require(try baseline("third.jsonl", "web-2026.12"))
        #expect(third.sha256 != first.sha256)
        #expect(third.inode != first.inode)
        #expect(try ImageStamp.read(root: fixture.root) == "web-2026.12")
    }

    @Test("image family is the id without its trailing version")
    func families() {
        #expect(BaselineStore.family(of: "web-2026.11") == "web")
        #expect(BaselineStore.family(of: "ubuntu-22.04-web:7") == "ubuntu-22.04-web")
        #expect(BaselineStore.family(of: "base") == "base")
        #expect(UTCTime.seconds("1970-01-02T00:00:00Z") == 86_400)
    }

    private func check(_ fixture: Fixture, baselines: String, reports: String, root: String, keep: Int = 10) throws
        -> RunResult
    {
        try CommandLineTool.run(
            CommandLineTool.driftcheck,
            [
                "check", "--root", root, "--key", fixture.key, "--pubkey", fixture.pub, "--baselines", baselines,
                "--reports",
                reports, "--keep", String(keep),
            ])
    }

    @Test("check is quiet on a clean host, prints the report and exits 1 on drift, and keeps the newest N runs")
    func checkRuns() throws {
        let fixture = try Fixture()
        let baselines = try makeBaselines(fixture, newer: false)
        let reports = fixture.directory.url("reports")
        let host = fixture.directory.url("host")
        #expect(try CommandLineTool.shell("cp -a '\(fixture.root)' '\(host)'").status == 0)
        let clean = try check(fixture, baselines: baselines, reports: reports, root: host)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stdout.isEmpty && clean.stderr.isEmpty, "quiet when clean")
        try Data("PermitRootLogin yes\n".utf8).write(to: URL(fileURLWithPath: host + "/etc/ssh/sshd_config"))
        let drifted = try check(fixture, baselines: baselines, reports: reports, root: host)
        #expect(drifted.status == 1)
        #expect(drifted.stdout.contains("/etc/ssh/sshd_config"))
        for _ in 0..<3 {
            sleep(1)
            _ = try check(fixture, baselines: baselines, reports: reports, root: host, keep: 2)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: reports).sorted()
        #expect(files.filter { $0.hasSuffix(".manifest.jsonl") }.count == 2)
        #expect(files.filter { $0.hasSuffix(".manifest.jsonl.sig") }.count == 2)
        #expect(files.filter { $0.hasSuffix(".report.json") }.count == 2)
        #expect(!files.contains { $0.contains(".tmp-") })
        #expect(files.filter { $0.hasSuffix(".report.json.sig") }.count == 2, "pruned with their reports")
        for report in files.filter({ $0.hasSuffix(".report.json") }) {
            #expect(try Fixture.validate("report", reports + "/" + report).status == 0)
            // Signed with the host key, as the manifest is: the stock openssl CLI checks it.
            let verified = try CommandLineTool.shell(
                "openssl pkeyutl -verify -pubin -inkey '\(fixture.pub)' -rawin -in '\(report)' "
                    + "-sigfile '\(report).sig'",
                in: reports)
            #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
        }
        for manifest in files.filter({ $0.hasSuffix(".manifest.jsonl") }) {
            #expect(
                try CommandLineTool.driftcheck("verify", reports + "/" + manifest, "--pubkey", fixture.pub).status == 0)
        }
    }

    @Test("an overlapping check fails at once on the lock, writing nothing")
    func checkLock() throws {
        let fixture = try Fixture()
        let baselines = try makeBaselines(fixture, newer: false)
        let reports = fixture.directory.url("reports")
        try fixture.directory.makeDirectory("reports")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [reports + "/.driftcheck.lock", "sleep", "20"]
        try holder.run()
        defer { holder.terminate() }
        try CommandLineTool.waitUntilLocked(reports + "/.driftcheck.lock")
        let blocked = try check(fixture, baselines: baselines, reports: reports, root: fixture.root)
        #expect(blocked.status == 2)
        #expect(blocked.stderr.contains("another driftcheck check is running"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: reports).filter { !$0.hasPrefix(".") }.isEmpty)
    }

    @Test("drift that looks like tampering is a recommendation to investigate")
    func investigate() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        let host = fixture.directory.url("host")
        #expect(
            try CommandLineTool.shell("cp -a '\(fixture.root)' '\(host)' && chmod u+s '\(host)/usr/bin/tool'").status
                == 0)
        let (_, report) = try fixture.jsonReport(baseline, try fixture.scan("host.jsonl", root: host))
        #expect(report["recommendation"]?["action"]?.stringValue == "investigate")
    }
}

@Suite("Report formats")
struct ReportFormatTests {
    @Test("ndjson, prometheus and junit outputs parse with standard tools")
    func formatsParse() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        let host = fixture.directory.url("host")
        #expect(
            try CommandLineTool.shell(
                "cp -a '\(fixture.root)' '\(host)' && echo x >> '\(host)/etc/ssh/sshd_config'"
                    + " && echo y > '\(host)/srv/new'"
            ).status == 0)
        let hostManifest = try fixture.scan("host.jsonl", root: host)
        for (format, file) in [("ndjson", "r.ndjson"), ("prometheus", "r.prom"), ("junit", "r.xml")] {
            let out = fixture.directory.url(file)
            let result = try fixture.compare(
                baseline, hostManifest, ["--format", format, "--out", out, "--fail-on", "high"])
            #expect(result.status == 1)
            let validation = try Fixture.validate(format, out)
            #expect(validation.status == 0, "\(format): \(validation.stderr)")
            switch format {
            case "ndjson": #expect(validation.stdout == "3\n", "two drift events and a summary")
            case "junit": #expect(validation.stdout == "2 1\n", "two cases, one at or above --fail-on")
            default:
                #expect(
                    validation.stdout.contains(
                        "driftcheck_drift_items {\"host\": \"vm\", \"image\": \"test-image\", \"severity\": \"high\"} 1"
                    ))
                #expect(
                    validation.stdout.contains(
                        "driftcheck_rebuild_recommended {\"host\": \"vm\", \"image\": \"test-image\"} 1"))
                #expect(validation.stdout.contains("driftcheck_last_scan_timestamp_seconds"))
            }
        }
    }
}
