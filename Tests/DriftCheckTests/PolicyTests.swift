import Foundation
import Testing

@testable import DriftCheck

@Suite("Policy")
struct PolicyTests {
    @Test("globs: * stays within a name, ** spans directories including none, classes and ? work")
    func globs() {
        let logs = PathGlob("/var/log/**")
        #expect(logs.matches("/var/log"))
        #expect(logs.matches("/var/log/apt/history.log"))
        #expect(!logs.matches("/var/logs"))
        let history = PathGlob("/home/*/.bash_history")
        #expect(history.matches("/home/alice/.bash_history"))
        #expect(!history.matches("/home/alice/sub/.bash_history"))
        #expect(PathGlob("/etc/ssh/ssh_host_*").matches("/etc/ssh/ssh_host_ed25519_key.pub"))
        #expect(PathGlob("/usr/**/*.so").matches("/usr/lib/x86_64-linux-gnu/libc.so"))
        #expect(PathGlob("/etc/rc[0-6].d/S??*").matches("/etc/rc2.d/S01ssh"))
        #expect(!PathGlob("/etc/rc[0-6].d/S??*").matches("/etc/rcS.d/S01ssh"))
        #expect(PathGlob("linux-image-*").matches("linux-image-6.1.0-13-amd64"))
        #expect(!PathGlob("/etc/*").matches("etc/passwd"), "an anchored pattern needs an absolute path")
    }

    private func policy(_ yaml: String) throws -> Policy {
        try PolicyParser.parse(yaml, path: "test.yaml").policy
    }

    private func item(_ path: String, _ fields: [String] = ["content"], severity: Severity = .high) -> DriftItem {
        DriftItem(
            kind: .file, name: Array(path.utf8), change: .modified,
            fields: fields.map { DriftField(rawValue: $0).map(ChangedField.file) ?? .record($0) }, severity: severity,
            baseline: nil,
            host: nil)
    }

    @Test("the built-in policy parses, every rule marked as the default's, and it is parsed once")
    func builtInPolicyParses() throws {
        let parsed = try DefaultPolicy.parse()
        #expect(parsed.rules.count > 10)
        #expect(parsed.rules.allSatisfy { $0.origin == "default" })
        #expect(parsed.rules == DefaultPolicy.policy.rules)
        #expect(PolicyRenderer.digest(parsed) == PolicyRenderer.digest(DefaultPolicy.policy))
    }

    @Test("rules are evaluated top to bottom and the first rule that selects an item decides")
    func firstMatchWins() throws {
        let ignoreFirst = try policy(
            "rules:\n  - {path: /srv/app/**, ignore: true}\n  - {path: /srv/app/config.yml, severity: critical}\n")
        #expect(ignoreFirst.apply(to: [item("/srv/app/config.yml")]).items.isEmpty)
        let specificFirst = try policy(
            "rules:\n  - {path: /srv/app/config.yml, severity: critical}\n  - {path: /srv/app/**, ignore: true}\n")
        let outcome = specificFirst.apply(to: [item("/srv/app/config.yml"), item("/srv/app/other")])
        #expect(outcome.items.map(\.severity) == [.critical])
        #expect(outcome.ignored == 1)
    }

    @Test("watch keeps only the listed fields; an item left with none is dropped")
    func watchFields() throws {
        let watched = try policy("rules:\n  - path: /var/lib/app/**\n    watch: [mode, owner, group]\n")
        let outcome = watched.apply(to: [
            item("/var/lib/app/db", ["content", "size"]), item("/var/lib/app/key", ["content", "mode"]),
        ])
        #expect(outcome.items.count == 1)
        #expect(outcome.items.first?.fields == [.file(.mode)])
        #expect(outcome.ignored == 1)
    }

    @Test("kind and name select records; severity overrides apply")
    func recordRules() throws {
        let rules = try policy("rules:\n  - kind: package\n    name: \"linux-image-*\"\n    severity: low\n")
        let kernel = DriftItem(
            kind: "package", name: Array("linux-image-6.1.0-13-amd64".utf8), change: .added, fields: [],
            severity: .high,
            baseline: nil, host: nil)
        #expect(rules.apply(to: [kernel]).items.first?.severity == .low)
    }

    @Test(
        "policy check points at the line of each error",
        arguments: [
            ("rules:\n  - path: /etc/**\n    ignore: true\n    colour: red\n", "line 4: unknown rule key \"colour\""),
            ("version: 1\nrules:\n  - {path: /etc/x, severity: severe}\n", "line 3: severity \"severe\" is not one of"),
            ("rules:\n  - {path: etc/x, ignore: true}\n", "line 2: path \"etc/x\" must start with /"),
            ("rules:\n  - {path: /etc/x}\n", "line 2: a rule needs ignore, watch or severity"),
            ("rules:\n  - path: /etc/x\n   ignore: true\n", "line 3: not valid YAML"),
            ("allow:\n  socket: [x]\n", "line 2: allow takes port and module"),
            ("rebuild:\n  max_age_days: -3\n", "line 2: rebuild.max_age_days must be a whole number"),
            ("retention: 3\n", "line 1: unknown key \"retention\""),
        ])
    func policyErrorsNameTheLine(_ yaml: String, _ message: String) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("policy.yaml", yaml)
        let result = try CommandLineTool.driftcheck("policy", "check", file)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("driftcheck: \(file): \(message)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("policy show prints the effective policy, which reads back to the same digest")
    func showRoundTrips() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "policy.yaml",
            "rules:\n  - {path: /srv/**, watch: [mode]}\nallow:\n  port: [\"tcp/*:443\"]\n"
                + "rebuild:\n  max_age_days: 30\n"
        )
        let shown = try CommandLineTool.driftcheck("policy", "show", "--policy", file)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("path: \"/srv/**\""))
        #expect(shown.stdout.contains("path: \"/var/log/**\""), "the defaults follow the file's rules")
        #expect(shown.stdout.contains("tcp/*:443"))
        let written = try directory.write("shown.yaml", shown.stdout)
        let checked = try CommandLineTool.driftcheck("policy", "check", written)
        #expect(checked.status == 0, "\(checked.stderr)")
        let digest = try #require(shown.stdout.split(separator: "\n").last?.split(separator: " ").last)
        #expect(checked.stdout.contains("digest \(digest)"))
        #expect(try CommandLineTool.driftcheck("policy", "show").stdout.contains("max_age_days: 0"))
    }

    @Test("the built-in default policy parses and ignores the churn of a running host")
    func defaultPolicyIgnoresChurn() {
        let policy = DefaultPolicy.policy
        #expect(policy.rules.count > 50)
        let churn = [
            "/var/log/syslog", "/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
            "/var/cache/apt/pkgcache.bin", "/etc/machine-id", "/var/lib/systemd/random-seed", "/root/.bash_history",
            "/etc/ssh/ssh_host_ed25519_key", "/tmp/x", "/var/lib/dpkg/status", "/home/alice/.cache/pip/x",
        ]
        #expect(policy.apply(to: churn.map { item($0) }).items.isEmpty)
        let kept = policy.apply(to: [item("/etc/ssh/sshd_config"), item("/usr/bin/ls"), item("/etc/hostname")])
        #expect(
            kept.items.map { String(decoding: $0.name, as: UTF8.self) } == ["/etc/ssh/sshd_config", "/usr/bin/ls"])
    }
}
