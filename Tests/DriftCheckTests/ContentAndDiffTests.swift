import Foundation
import Testing

@testable import DriftCheck

@Suite("Content capture and diffs")
struct ContentAndDiffTests {
    /// A PEM private key made by openssl, whose body must never appear in an artefact.
    private func privateKey() throws -> (pem: String, body: String) {
        let made = try CommandLineTool.shell("openssl genpkey -algorithm ed25519 2>/dev/null")
        #expect(made.status == 0)
        let body = try #require(made.stdout.split(separator: "\n").first { !$0.hasPrefix("-----") })
        return (made.stdout, String(body))
    }

    @Test(
        "a baseline keeps small world-readable text files under /etc, and never shadow files, private keys, unreadable or binary files"
    )
    func baselineKeepsTextNeverSecrets() throws {
        let fixture = try Fixture()
        let key = try privateKey()
        let dir = fixture.directory
        try dir.write("image/etc/ssh/sshd_config", "PermitRootLogin no\n")
        try dir.write("image/etc/motd", "hello\n")
        try dir.write("image/etc/shadow", "root:$6$salt$hash:19000:0:99999:7:::\n", mode: 0o644)
        try dir.write("image/etc/gshadow", "root:*::\n", mode: 0o644)
        try dir.write("image/etc/app/tls.pem", key.pem, mode: 0o644)
        try dir.write("image/etc/app/other.conf", "token\n" + key.pem, mode: 0o644)
        try dir.write("image/etc/app/site.key", "not even a pem\n", mode: 0o644)
        try dir.write("image/etc/ssh/ssh_host_ed25519_key", key.pem, mode: 0o644)
        try dir.write("image/etc/ssl/private/x.conf", "secret = 1\n", mode: 0o644)
        try dir.write("image/etc/sudoers", "root ALL=(ALL) ALL\n", mode: 0o440)
        try dir.write("image/etc/app/blob.bin", "a\u{0}b\n")
        try dir.write("image/etc/big.conf", String(repeating: "x", count: 70_000))
        try dir.write("image/srv/app/config.yml", "port: 8080\n")
        let manifest = try fixture.scan("base.jsonl")
        let kept = Dictionary(
            uniqueKeysWithValues: try fixture.entries(manifest).filter { $0.content != nil }.map {
                (String(decoding: $0.path, as: UTF8.self), ContentCapture.text(of: $0))
            })
        #expect(kept.keys.sorted() == ["/etc/motd", "/etc/ssh/sshd_config"])
        #expect(kept["/etc/ssh/sshd_config"] == Array("PermitRootLogin no\n".utf8))
        let bytes = try String(contentsOfFile: manifest, encoding: .utf8)
        #expect(!bytes.contains(key.body), "the key's bytes are in no manifest line, compressed or not")
        for (path, _) in kept { #expect(!path.contains("shadow")) }
    }

    @Test("the policy names the content paths, the size limit and more secrets; policy show prints them back")
    func policyControlsContent() throws {
        let fixture = try Fixture()
        try fixture.directory.write("image/etc/a.conf", "a\n")
        try fixture.directory.write("image/etc/b.conf", "b\n")
        try fixture.directory.write("image/srv/app/config.yml", "port: 8080\n")
        try fixture.directory.write("image/srv/app/large.yml", String(repeating: "y\n", count: 100))
        let policy = try fixture.directory.write(
            "policy.yml",
            "version: 1\ncontent:\n  paths: [\"/srv/**\", \"/etc/**\"]\n  max_size: 100\n  never: [\"/etc/b.conf\"]\n")
        let out = fixture.directory.url("p.jsonl")
        let scanned = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--key", fixture.key, "--out", out, "--policy", policy, "--quiet")
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let kept = try fixture.entries(out).filter { $0.content != nil }.map {
            String(decoding: $0.path, as: UTF8.self)
        }
        #expect(kept == ["/etc/a.conf", "/srv/app/config.yml"])
        let shown = try CommandLineTool.driftcheck("policy", "show", "--policy", policy)
        #expect(
            shown.stdout.contains(
                "content:\n  paths: [\"/srv/**\", \"/etc/**\"]\n  max_size: 100\n  never: [\"/etc/b.conf\"]"))
        let bad = try fixture.directory.write("bad.yml", "version: 1\ncontent:\n  max_size: 99999999\n")
        let refused = try CommandLineTool.driftcheck("policy", "show", "--policy", bad)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("bad.yml") && refused.stderr.contains("content.max_size"), "\(refused.stderr)")
    }

    @Test("a modified config file's report carries its unified diff (JSON, text, HTML); control characters are escaped")
    func modifiedConfigHasDiff() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let base = try fixture.scan("base.jsonl")
        try fixture.directory.write(
            "image/etc/ssh/sshd_config", "PermitRootLogin yes\nPasswordAuthentication no\nBanner \u{1B}]0;owned\u{07}\n"
        )
        try fixture.directory.write("image/etc/new.conf", "fresh\n")
        let host = try fixture.scan("host.jsonl")
        let (_, report) = try fixture.jsonReport(base, host)
        let item = try #require(Fixture.item(report, named: "/etc/ssh/sshd_config"))
        let diff = try #require(item["diff"]?["text"]?.stringValue)
        #expect(
            diff == """
                --- a/etc/ssh/sshd_config
                +++ b/etc/ssh/sshd_config
                @@ -1,2 +1,3 @@
                -PermitRootLogin no
                +PermitRootLogin yes
                 PasswordAuthentication no
                +Banner \u{1B}]0;owned\u{07}

                """)
        #expect(item["diff"]?["added"]?.integerValue == 2 && item["diff"]?["removed"]?.integerValue == 1)
        #expect(item["host"]?["content_gz"] != nil, "the host side carries its content for bake")
        #expect(item["baseline"]?["content_gz"] == nil)
        let added = try #require(Fixture.item(report, named: "/etc/new.conf"))
        #expect(added["diff"]?["text"]?.stringValue == "--- /dev/null\n+++ b/etc/new.conf\n@@ -0,0 +1,1 @@\n+fresh\n")
        let text = try fixture.compare(base, host).stdout
        #expect(text.contains("\n        -PermitRootLogin no\n        +PermitRootLogin yes\n"), "\(text)")
        #expect(!text.contains("\u{1B}") && !text.contains("\u{07}") && text.contains("+Banner \\x1B]0;owned\\x07"))
        let html = try fixture.compare(base, host, ["--format", "html"]).stdout
        #expect(html.contains("<span class=\"del\">-PermitRootLogin no</span>"))
        #expect(!html.contains("\u{1B}"))
    }

    @Test("check's host manifest keeps content only for what differs from its baseline")
    func hostKeepsOnlyDrifted() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        try fixture.directory.write("image/etc/motd", "welcome\n")
        let baselines = fixture.directory.url("baselines")
        try fixture.directory.makeDirectory("baselines")
        let made = try CommandLineTool.driftcheck(
            "baseline", "--root", fixture.root, "--image", "img-1", "--key", fixture.key, "--out",
            baselines + "/img-1.jsonl", "--quiet", "--no-stamp")
        #expect(made.status == 0, "\(made.stderr)")
        try fixture.directory.write("image/etc/motd", "changed\n")
        let reports = fixture.directory.url("reports")
        let checked = try CommandLineTool.driftcheck(
            "check", "--root", fixture.root, "--image", "img-1", "--host", "h1", "--key", fixture.key, "--reports",
            reports, "--baselines", baselines, "--pubkey", fixture.pub, "--quiet")
        #expect(checked.status == 1, "\(checked.stderr)")
        let manifest = try #require(
            try FileManager.default.contentsOfDirectory(atPath: reports).first { $0.hasSuffix(".manifest.jsonl") })
        let kept = try fixture.entries(reports + "/" + manifest).filter { $0.content != nil }
        #expect(kept.map { String(decoding: $0.path, as: UTF8.self) } == ["/etc/motd"])
    }

    /// GNU diff's unified output for the same two files, headers left out.
    private func gnuDiff(_ old: String, _ new: String, in directory: TemporaryDirectory) throws -> String {
        try directory.write("old", old)
        try directory.write("new", new)
        let result = try CommandLineTool.run("/usr/bin/diff", ["-u", directory.url("old"), directory.url("new")])
        return result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2)
            .joined(separator: "\n")
    }

    @Test("the diff's hunks are what GNU diff -u prints, on 300 random edits of a config file")
    func matchesGNUDiff() throws {
        let directory = try TemporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        let vocabulary = (0..<12).map { "line \($0)" } + ["", "# comment", "PermitRootLogin no", "}"]
        for round in 0..<300 {
            var old = (0..<Int.random(in: 0...40, using: &generator)).map { _ in vocabulary.randomElement()! }
            var new = old
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                switch Int.random(in: 0..<3, using: &generator) {
                case 0 where !new.isEmpty: new.remove(at: Int.random(in: 0..<new.count, using: &generator))
                case 1: new.insert(vocabulary.randomElement()!, at: Int.random(in: 0...new.count, using: &generator))
                default:
                    if !new.isEmpty { new[Int.random(in: 0..<new.count, using: &generator)] = "changed \(round)" }
                }
            }
            if round % 7 == 0 { old.append("") }  // sometimes a blank last line
            let oldText = old.joined(separator: "\n") + (round % 5 == 0 ? "" : "\n")
            let newText = new.joined(separator: "\n") + (round % 3 == 0 ? "" : "\n")
            let expected = try gnuDiff(oldText, newText, in: directory)
            let ours = UnifiedDiff.between(Array(oldText.utf8), Array(newText.utf8), path: Array("/etc/x".utf8))
            let body =
                ours.map { $0.text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2) }
                .map { $0.joined(separator: "\n") } ?? ""
            // Several shortest edit scripts can exist; GNU diff and Myers agree on counts, so compare those, and the
            // text itself when it is the same script.
            let count = { (text: String, marker: Character) in
                text.split(separator: "\n").filter {
                    $0.first == marker && !$0.hasPrefix("+++") && !$0.hasPrefix("---")
                }
                .count
            }
            #expect(count(body, "+") == count(expected, "+"), "round \(round):\n\(body)\nGNU:\n\(expected)")
            #expect(count(body, "-") == count(expected, "-"), "round \(round)")
            #expect(
                body.components(separatedBy: "\\ No newline").count
                    == expected.components(separatedBy: "\\ No newline").count)
            if oldText == newText { #expect(ours == nil) }
        }
    }

    @Test("patch -p1 applies the diff to the baseline's file and gives the host's")
    func patchApplies() throws {
        let directory = try TemporaryDirectory()
        let old = (1...60).map { "option\($0) = \($0)" }.joined(separator: "\n") + "\n"
        var lines = old.split(separator: "\n").map(String.init)
        lines[5] = "option6 = changed"
        lines.insert("added = 1", at: 30)
        lines.removeLast(2)
        let new = lines.joined(separator: "\n")  // and no newline at the end
        let diff = try #require(
            UnifiedDiff.between(Array(old.utf8), Array(new.utf8), path: Array("/etc/app.conf".utf8)))
        try directory.write("etc/app.conf", old)
        try directory.write("change.patch", diff.text)
        let applied = try CommandLineTool.shell("patch -s -p1 < change.patch", in: directory.path)
        #expect(applied.status == 0, "\(applied.stderr)\(applied.stdout)")
        #expect(try String(contentsOfFile: directory.url("etc/app.conf"), encoding: .utf8) == new)
    }

    @Test("a diff is bounded: long files are cut with truncated set, and the counts stay whole")
    func diffIsBounded() throws {
        let old = (0..<3000).map { "a\($0)" }.joined(separator: "\n") + "\n"
        let new = (0..<3000).map { "b\($0)" }.joined(separator: "\n") + "\n"
        let diff = try #require(UnifiedDiff.between(Array(old.utf8), Array(new.utf8), path: Array("/etc/x".utf8)))
        #expect(diff.truncated)
        #expect(diff.added == 3000 && diff.removed == 3000)
        #expect(diff.text.utf8.count <= UnifiedDiff.maximumBytes)
        #expect(diff.text.split(separator: "\n").count <= UnifiedDiff.maximumLines)
    }

    @Test("secrets in other forms are never kept: a 0700 directory, WireGuard and age keys, a password in fstab")
    func otherSecrets() throws {
        let fixture = try Fixture()
        let dir = fixture.directory
        try dir.write("image/etc/wireguard/wg0.conf", "[Interface]\nAddress = 10.9.0.1/24\n")
        chmod(dir.url("image/etc/wireguard"), 0o700)
        try dir.write("image/etc/closed/app.conf", "x = 1\n")
        chmod(dir.url("image/etc/closed"), 0o750)
        try dir.write("image/etc/vpn.conf", "[Interface]\nprivatekey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n")
        try dir.write("image/etc/age.txt", "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n")
        try dir.write("image/etc/fstab", "//nas/share /mnt cifs username=u,password=hunter2 0 0\n")
        try dir.write("image/etc/kube.yaml", "users:\n- user:\n    client-key-data: LS0tLS1CRUdJTiBFQyBQUklWQVRF\n")
        try dir.write("image/etc/motd", "hello\n")
        let manifest = try fixture.scan("base.jsonl")
        let kept = try fixture.entries(manifest).filter { $0.content != nil }.map {
            String(decoding: $0.path, as: UTF8.self)
        }
        #expect(kept == ["/etc/motd"], "\(kept)")
    }

    @Test("a newline in a file's name cannot forge diff lines; a time far beyond year 9999 does not trap")
    func hostileNamesAndTimes() throws {
        let diff = try #require(
            UnifiedDiff.between(nil, Array("a\n".utf8), path: Array("/etc/x\n@@ -1,1 +1,1 @@\n-evil".utf8)))
        #expect(diff.text.hasPrefix("--- /dev/null\n+++ b/etc/x\\n@@ -1,1 +1,1 @@\\n-evil\n@@ -0,0 +1,1 @@\n+a\n"))
        #expect(UTCTime.format(Int.max) == "9999-12-31T23:59:59Z")
        #expect(UTCTime.format(Int.min) == "1970-01-01T00:00:00Z")
        #expect(JournalLog.program("/usr/sbin/sshd") == "sshd" && JournalLog.program("/home/u/sudo") == nil)
        #expect(JournalLog.program("/usr/bin/logger") == nil)
    }
}
