import Foundation
import Testing

@testable import DriftCheck

/// Issue 15's scenario on a real Debian 12 server image (Fixtures/tools/real-explain.sh): a host drifted by real
/// tools (an ssh login of the image's admin in wtmp and auth.log, then through sudo: useradd deploy, apt-get install
/// tcpdump, an editor-like edit of sshd_config), with a world-readable PEM private key planted in the image and a copy in /etc/ssl/private; the
/// report, its diff and evidence; the bake applied to a copy of the image; the host against that next image.
/// Slow and privileged: with DRIFTCHECK_SLOW_TESTS=1 as root.
@Suite("A real host explained, and baked into the next image", .enabled(if: ScanRaceTests.slow && getuid() == 0))
struct RealExplainTests {
    private static func json(_ path: String) throws -> JSONValue {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        return try JSONParser.parse(bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes)
    }

    @Test(
        """
        the report shows sshd_config's diff, apt's command line and requesting user, the ssh session from wtmp; no \
        artefact holds the planted key; the bake applied to the image leaves none of the baked changes
        """
    )
    func explainedAndBaked() throws {
        let fixture = try Fixture()
        let out = fixture.directory.url("explain")
        try FixtureFiles.runTool("real-explain.sh", out: out)
        let report = try Self.json(out + "/report.json")

        // The diff of the editor's edit.
        let sshd = try #require(Fixture.item(report, named: "/etc/ssh/sshd_config"))
        let diff = try #require(sshd["diff"]?["text"]?.stringValue)
        #expect(diff.contains("\n-#PermitRootLogin prohibit-password\n+PermitRootLogin no\n"), "\(diff)")
        #expect(diff.contains("\n+AllowUsers admin\n"))
        #expect(sshd["diff"]?["added"]?.integerValue == 2 && sshd["diff"]?["removed"]?.integerValue == 1)
        let sshdClaims = sshd["evidence"]?["summary"]?.stringValue ?? ""
        #expect(sshdClaims.contains("sudo `/usr/bin/vi /etc/ssh/sshd_config` by admin"), "\(sshdClaims)")
        #expect(sshdClaims.contains("login session of admin from 10.0.0.5 on pts/0"), "\(sshdClaims)")
        #expect(sshdClaims.contains("(wtmp"), "the session comes from wtmp: \(sshdClaims)")
        #expect(sshdClaims.hasSuffix("claims from the host's own logs"))

        // apt's command line and the user who asked for it, from history.log.
        let tcpdump = try #require(Fixture.item(report, named: "tcpdump"))
        let claims = tcpdump["evidence"]?["summary"]?.stringValue ?? ""
        #expect(
            claims.contains("install -y --no-download --no-install-recommends tcpdump` requested by admin (uid 1000)"))
        #expect(claims.contains("(apt history)"), "\(claims)")
        let deploy = try #require(Fixture.item(report, named: "deploy"))
        let deployClaims = deploy["evidence"]?["summary"]?.stringValue ?? ""
        #expect(
            deployClaims.contains("sudo `/usr/sbin/useradd -m -u 1001 -s /bin/bash deploy` by admin"), "\(deployClaims)"
        )
        #expect(!deployClaims.contains("apt-get"), "useradd ran before apt: \(deployClaims)")

        // The text report and the page carry them too; the page is screenshotted in headless Chromium.
        let text = try String(contentsOfFile: out + "/report.txt", encoding: .utf8)
        #expect(text.contains("+PermitRootLogin no") && text.contains("evidence: changed "))
        let page = out + "/report.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<span class=\"add\">+PermitRootLogin no</span>"))
        #expect(html.contains("requested by admin (uid 1000)") && html.contains("Claims from the host&apos;s own logs"))
        let shot = try Screenshot.take(page, into: fixture.directory.url("explain.png"))
        #expect(shot.width > 0)

        // The planted key's bytes are in no artefact: manifests, reports, the page, the bake, the baselines.
        let planted = try String(contentsOfFile: out + "/planted.txt", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(planted.count > 20)
        let grep = try CommandLineTool.run(
            "/bin/grep",
            [
                "-rlF", "-e", planted, "-e", "PRIVATE KEY", out + "/reports", out + "/report.json", out + "/report.txt",
                page, out + "/bake", out + "/baselines", out + "/baselines-next", out + "/after.json",
            ])
        #expect(grep.status == 1, "found in: \(grep.stdout)")
        for manifest in try FileManager.default.contentsOfDirectory(atPath: out + "/reports")
        where manifest.hasSuffix(".manifest.jsonl") {
            for entry in try fixture.allEntries(out + "/reports/" + manifest, key: out + "/keys/web-01.pub") {
                guard case .file(let file) = entry, let content = ContentCapture.text(of: file) else { continue }
                #expect(content.firstRange(of: Array("PRIVATE KEY".utf8)) == nil)
            }
        }

        // The bake: apply.sh made the account, its group, the pinned packages and the file; nothing tampering.
        let script = try String(contentsOfFile: out + "/bake/apply.sh", encoding: .utf8)
        #expect(script.contains("groupadd -g 1001 'deploy'"))
        #expect(script.contains("useradd -u 1001 -g 1001 -d '/home/deploy' -s '/bin/bash' -m 'deploy'"))
        #expect(script.contains("'tcpdump=4.99.3-1'"))
        #expect(
            try String(contentsOfFile: out + "/bake/by-hand.txt", encoding: .utf8).hasPrefix(
                "/etc/ssl/private/host.key\t"))
        // The next image, baked: the host against it shows the image change and the key to copy by hand only.
        let after = try Self.json(out + "/after.json")
        let left = Fixture.items(after).map { "\($0["kind"]?.stringValue ?? "") \($0["name"]?.stringValue ?? "")" }
        #expect(left == ["image explain-1", "file /etc/ssl/private/host.key"], "\(left)")
    }
}
