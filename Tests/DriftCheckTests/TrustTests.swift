import Foundation
import Testing

@testable import DriftCheck

/// Separate trust roots for baselines and host manifests, key rotation, and the host manifest's role, host name and
/// age: each way of passing one manifest off as another is refused with exit 3.
@Suite("Trust")
struct TrustTests {
    /// A build key and a host key (besides the fixture's own), a baseline signed by the build key and a host
    /// manifest of the same tree signed by the host key.
    final class Setup {
        let fixture: Fixture
        let baseline: String
        let host: String
        var buildPub: String { fixture.directory.url("build.pub") }
        var buildKey: String { fixture.directory.url("build.key") }
        var hostPub: String { fixture.directory.url("host.pub") }
        var hostKey: String { fixture.directory.url("host.key") }

        init() throws {
            fixture = try Fixture()
            try fixture.populateImage()
            for name in ["build", "host"] {
                #expect(try CommandLineTool.driftcheck("keygen", "--out", fixture.directory.url(name)).status == 0)
            }
            baseline = fixture.directory.url("baseline.jsonl")
            host = fixture.directory.url("host.jsonl")
            let made = try CommandLineTool.driftcheck(
                "baseline", "--root", fixture.root, "--image", "web-2026.11", "--key",
                fixture.directory.url("build.key"),
                "--out", baseline, "--quiet")
            #expect(made.status == 0, "\(made.stderr)")
            let scanned = try CommandLineTool.driftcheck(
                "scan", "--root", fixture.root, "--host", "web-01", "--key", fixture.directory.url("host.key"),
                "--out", host, "--quiet")
            #expect(scanned.status == 0, "\(scanned.stderr)")
        }

        func compare(baseline: String? = nil, host: String? = nil, _ trust: [String]) throws -> RunResult {
            try CommandLineTool.run(
                CommandLineTool.driftcheck,
                ["compare", "--baseline", baseline ?? self.baseline, "--host", host ?? self.host] + trust)
        }

        /// Rewrites the host manifest's header with `edit` and signs it again with the host key, as a holder of
        /// that key could; returns the new path.
        func resigned(_ name: String, _ edit: (String) -> String) throws -> String {
            let text = try String(contentsOfFile: host, encoding: .utf8)
            let newline = text.firstIndex(of: "\n")!
            let path = fixture.directory.url(name)
            try (edit(String(text[..<newline])) + text[newline...]).write(
                toFile: path, atomically: true, encoding: .utf8)
            let signed = try CommandLineTool.shell(
                "openssl pkeyutl -sign -inkey '\(hostKey)' -rawin -in '\(path)' -out '\(path).sig'")
            #expect(signed.status == 0, "\(signed.stderr)")
            return path
        }
    }

    @Test("with separate roots a baseline verifies only with a build key and a host manifest only with a host key")
    func separateRoots() throws {
        let setup = try Setup()
        let roots = ["--baseline-pubkey", setup.buildPub, "--host-pubkey", setup.hostPub]
        let clean = try setup.compare(roots)
        #expect(clean.status == 0, "\(clean.stderr)")
        // The host's own manifest offered as the baseline: the host key is not trusted for baselines.
        let hostAsBaseline = try setup.compare(baseline: setup.host, roots)
        #expect(hostAsBaseline.status == 3)
        #expect(hostAsBaseline.stderr.contains("does not verify with any trusted key"), "\(hostAsBaseline.stderr)")
        // A baseline forged with a stolen host key.
        let forged = setup.fixture.directory.url("forged.jsonl")
        let made = try CommandLineTool.driftcheck(
            "baseline", "--root", setup.fixture.root, "--image", "web-2026.11", "--key", setup.hostKey, "--out", forged,
            "--quiet", "--no-stamp")
        #expect(made.status == 0, "\(made.stderr)")
        let refused = try setup.compare(baseline: forged, roots)
        #expect(refused.status == 3, "\(refused.stderr)")
        // Missing a root for one side is a usage error that names the options.
        let oneSided = try setup.compare(["--baseline-pubkey", setup.buildPub])
        #expect(oneSided.status == 2)
        #expect(oneSided.stderr.contains("no key is trusted for host manifests: give --pubkey or --host-pubkey"))
    }

    @Test("a baseline replayed as the host's manifest is refused even when one key is trusted for both")
    func baselineAsHost() throws {
        let setup = try Setup()
        let trust = ["--pubkey", setup.buildPub, "--pubkey", setup.hostPub]
        let replayed = try setup.compare(host: setup.baseline, trust)
        #expect(replayed.status == 3)
        #expect(replayed.stderr.contains("is the baseline of image \"web-2026.11\", not a host manifest"))
        #expect(replayed.stdout.isEmpty, "nothing is compared")
        // Comparing two images is allowed when asked for.
        let images = try setup.compare(host: setup.baseline, trust + ["--compare-baselines"])
        #expect(images.status == 0, "\(images.stderr)")
        // With separate roots, two images compare with the build key alone.
        let twoImages = try setup.compare(
            host: setup.baseline, ["--baseline-pubkey", setup.buildPub, "--compare-baselines"])
        #expect(twoImages.status == 0, "\(twoImages.stderr)")
        // A host manifest compared with the host's own earlier manifest is normal.
        let earlier = try setup.compare(baseline: setup.host, trust)
        #expect(earlier.status == 0, "\(earlier.stderr)")
    }

    @Test("a manifest made on another host than --expect-host is refused")
    func expectHost() throws {
        let setup = try Setup()
        let roots = ["--baseline-pubkey", setup.buildPub, "--host-pubkey", setup.hostPub]
        #expect(try setup.compare(roots + ["--expect-host", "web-01"]).status == 0)
        let other = try setup.compare(roots + ["--expect-host", "web-02"])
        #expect(other.status == 3)
        #expect(other.stderr.contains("was made on host \"web-01\", not on \"web-02\""), "\(other.stderr)")
    }

    @Test("a host manifest older than --max-age, or dated in the future, is refused")
    func maxAge() throws {
        let setup = try Setup()
        let roots = ["--baseline-pubkey", setup.buildPub, "--host-pubkey", setup.hostPub]
        #expect(try setup.compare(roots + ["--max-age", "1h"]).status == 0)
        let old = try setup.resigned("old.jsonl") { header in
            header.replacingOccurrences(
                of: #""time":"[^"]*""#, with: #""time":"2026-01-01T00:00:00Z""#, options: .regularExpression)
        }
        let stale = try setup.compare(host: old, roots + ["--max-age", "36h"])
        #expect(stale.status == 3)
        #expect(stale.stderr.contains("was made at 2026-01-01T00:00:00Z"), "\(stale.stderr)")
        #expect(stale.stderr.contains("older than --max-age 1d 12h"), "\(stale.stderr)")
        #expect(try setup.compare(host: old, roots).status == 0, "no limit unless asked")
        let future = try setup.resigned("future.jsonl") { header in
            header.replacingOccurrences(
                of: #""time":"[^"]*""#, with: #""time":"2099-01-01T00:00:00Z""#, options: .regularExpression)
        }
        let ahead = try setup.compare(host: future, roots + ["--max-age", "7d"])
        #expect(ahead.status == 3)
        #expect(ahead.stderr.contains("in the future"))
        let malformed = try setup.compare(roots + ["--max-age", "5 parsecs"])
        #expect(malformed.status == 2)
    }

    @Test("during key rotation both keys are trusted and the report names the key that signed each side")
    func keyRotation() throws {
        let setup = try Setup()
        let idOf = { (pub: String) throws -> String in
            try CommandLineTool.shell(
                "openssl pkey -pubin -in '\(pub)' -outform DER | sha256sum | cut -d' ' -f1"
            ).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let result = try setup.compare(
            ["--pubkey", setup.buildPub, "--pubkey", setup.hostPub, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONParser.parse(Array(result.stdout.utf8))
        #expect(report["baseline"]?["key_id"]?.stringValue == (try idOf(setup.buildPub)))
        #expect(report["host_manifest"]?["key_id"]?.stringValue == (try idOf(setup.hostPub)))
        // The retired key alone no longer verifies the host side.
        #expect(try setup.compare(["--pubkey", setup.buildPub]).status == 3)
    }

    @Test("durations read as seconds, minutes, hours or days")
    func durations() {
        #expect(TrustRoots.seconds(parsing: "90") == 90)
        #expect(TrustRoots.seconds(parsing: "90m") == 5400)
        #expect(TrustRoots.seconds(parsing: "36h") == 129_600)
        #expect(TrustRoots.seconds(parsing: "7d") == 604_800)
        #expect(TrustRoots.seconds(parsing: "") == nil)
        #expect(TrustRoots.seconds(parsing: "h") == nil)
        #expect(TrustRoots.seconds(parsing: "-5") == nil)
        #expect(TrustRoots.seconds(parsing: "99999999999999999999d") == nil)
        #expect(TrustRoots.describe(seconds: 129_600) == "1d 12h")
    }
}
