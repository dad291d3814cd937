import Foundation
import Testing

@testable import DriftCheck

@Suite("Fleet view")
struct FleetTests {
    /// The fixture's image baselined as `image` (no stamp), with a second key pair `other` made; returns the baseline.
    private func baselineImage(_ fixture: Fixture, image: String = "web-2026.11") throws -> String {
        try fixture.populateImage()
        #expect(try CommandLineTool.driftcheck("keygen", "--out", fixture.directory.url("other")).status == 0)
        let baseline = fixture.directory.url("baseline.jsonl")
        let made = try CommandLineTool.driftcheck(
            "baseline", "--root", fixture.root, "--image", image, "--key", fixture.key, "--out", baseline, "--quiet",
            "--no-stamp")
        #expect(made.status == 0, "\(made.stderr)")
        return baseline
    }

    /// Makes the signed report of `host` (a copy of the image changed by `drift`) in `reports`, as `compare --key`
    /// writes it; `ago` runs it under faketime that long ago.
    private func report(
        _ fixture: Fixture, host: String, drift: String, baseline: String, reports: String, ago: String? = nil,
        key: String? = nil, extra: [String] = []
    ) throws {
        let root = fixture.directory.url("hosts/\(host)")
        if !FileManager.default.fileExists(atPath: root) {
            try fixture.directory.makeDirectory("hosts")
            #expect(try CommandLineTool.shell("cp -a '\(fixture.root)' '\(root)'").status == 0)
        }
        let changed = try CommandLineTool.shell("cd '\(root)' && \(drift)")
        #expect(changed.status == 0, "\(changed.stderr)")
        let manifest = fixture.directory.url("hosts/\(host).jsonl")
        let scanned = try CommandLineTool.driftcheck(
            "scan", "--root", root, "--image", "web-2026.11", "--host", host, "--key", key ?? fixture.key, "--out",
            manifest, "--quiet")
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let stamp = ago == nil ? "now" : "ago"
        let out = "\(reports)/\(host)/\(host)-\(stamp).report.json"
        try fixture.directory.makeDirectory("reports/\(host)")
        let arguments =
            [
                CommandLineTool.driftcheck, "compare", "--baseline", baseline, "--host", manifest, "--pubkey",
                fixture.pub,
                "--pubkey", fixture.directory.url("other.pub"), "--format", "json", "--key", key ?? fixture.key,
                "--out", out,
            ] + extra
        let compared = try CommandLineTool.run(
            ago == nil ? arguments[0] : "/usr/bin/faketime",
            ago == nil ? Array(arguments.dropFirst()) : ["-f", ago!] + arguments)
        #expect(compared.status <= 1, "\(compared.stderr)")
        let validation = try Fixture.validate("report", out)
        #expect(validation.status == 0, "\(validation.stderr)")
    }

    @Test(
        """
        a dozen hosts: the same value promoted, different values vary per host, tampering on most is an incident, \
        one host's change a snowflake, an edited report unverified, an old one stale, an undone change resolved
        """
    )
    func fleetOfTwelve() throws {
        let fixture = try Fixture()
        let baseline = try baselineImage(fixture)
        let reports = fixture.directory.url("reports")
        try fixture.directory.makeDirectory("reports")
        for index in 1...12 {
            var drift = ["true"]
            // Hosts 1–7: the same edit to the same value (promote).
            if index <= 7 { drift.append("sed -i s/8080/9090/ srv/app/config.yml") }
            // Hosts 1–8: a setuid bit gained, a worm's persistence (incident, never promoted).
            if index <= 8 { drift.append("chmod u+s usr/bin/tool") }
            // Hosts 1–6: the ssh daemon's banner, a different value on each (varies per host).
            if index <= 6 { drift.append("echo Banner /etc/issue.web-\(index) >> etc/ssh/sshd_config") }
            // Host 9 alone: a new binary (snowflake).
            if index == 9 { drift.append("printf 'x' > usr/bin/evil && chmod 755 usr/bin/evil") }
            let host = "web-\(index < 10 ? "0" : "")\(index)"
            if index == 11 {
                try report(fixture, host: host, drift: "true", baseline: baseline, reports: reports, ago: "-5d")
            } else if index == 12 {
                // Drifted a day ago, put back since (resolved).
                try report(
                    fixture, host: host, drift: "echo 'PermitRootLogin yes' >> etc/ssh/sshd_config",
                    baseline: baseline, reports: reports, ago: "-1d")
                try report(
                    fixture, host: host, drift: "sed -i '/PermitRootLogin yes/d' etc/ssh/sshd_config",
                    baseline: baseline, reports: reports)
            } else {
                try report(
                    fixture, host: host, drift: drift.joined(separator: " && "), baseline: baseline, reports: reports)
            }
        }
        let trust = ["--host-pubkey", fixture.pub]
        let clean = try CommandLineTool.run(CommandLineTool.driftcheck, ["fleet", reports] + trust)
        #expect(clean.status == 0, "every report verifies: \(clean.stderr)")
        let text = clean.stdout
        #expect(text.contains("driftcheck fleet: 12 hosts"))
        #expect(text.contains("PROMOTE     file /srv/app/config.yml modified (content) → sha256 "))
        #expect(text.contains("— on 7/12 hosts"))
        #expect(!text.contains("PROMOTE     file /usr/bin/tool"), "a setuid bit gained is never promoted")
        #expect(text.contains("INCIDENTS"))
        #expect(text.contains("web-2026.11: file /usr/bin/tool modified (mode) → mode 4755"))
        #expect(text.contains("on 8 hosts: web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08"))
        #expect(text.contains("VARIES      file /etc/ssh/sshd_config modified — 6 values on 6/12 hosts"))
        #expect(text.contains("6 values on 6/12 hosts"))
        #expect(text.contains("SNOWFLAKE   file /usr/bin/evil added"))
        #expect(text.contains("on web-09: rebuild it"))
        #expect(text.contains("web-11: quiet since"))
        #expect(text.contains("RESOLVED    file /etc/ssh/sshd_config modified (content, size) on web-12"))

        let json = try CommandLineTool.run(CommandLineTool.driftcheck, ["fleet", reports, "--format", "json"] + trust)
        let view = try JSONParser.parse(Array(json.stdout.utf8.dropLast()))
        func hosts(_ list: String) -> [JSONValue] {
            guard case .array(let items)? = view[list] else { return [] }
            return items
        }
        let state = Dictionary(
            uniqueKeysWithValues: hosts("hosts").compactMap { host in
                host["host"]?.stringValue.map { ($0, host["state"]?.stringValue ?? "") }
            })
        #expect(state["web-01"] == "incident")
        #expect(state["web-09"] == "drifted")
        #expect(state["web-10"] == "clean")
        #expect(state["web-11"] == "stale")
        #expect(state["web-12"] == "clean")
        let rebuild = hosts("rebuild").compactMap { $0["host"]?.stringValue }
        #expect(rebuild.first == "web-01", "incidents first")
        #expect(rebuild.contains("web-09") && rebuild.contains("web-11") && !rebuild.contains("web-10"))
        let promoted = hosts("promote")
        #expect(promoted.count == 1)
        #expect(promoted.first?["name"]?.stringValue == "/srv/app/config.yml")
        #expect(promoted.first?["identity"]?.stringValue?.count == 64)

        // --host: every change of that host's kept reports, first and last seen.
        let detailed = try CommandLineTool.run(
            CommandLineTool.driftcheck, ["fleet", reports, "--format", "json", "--host", "web-12"] + trust)
        let detail = try JSONParser.parse(Array(detailed.stdout.utf8.dropLast()))
        guard case .array(let all)? = detail["hosts"],
            case .array(let history)? = all.first(where: { $0["host"]?.stringValue == "web-12" })?["history"]
        else {
            Issue.record("no history for web-12")
            return
        }
        #expect(history.count == 1)
        #expect(history.first?["change"]?.stringValue == "file /etc/ssh/sshd_config modified (content, size)")
        #expect(history.first?["current"] == .bool(false))
        #expect(history.first?["first_seen"] == history.first?["last_seen"], "one report had it")

        // Editing a signed report (turning a drifted host clean) makes it unverified, never clean: exit 3.
        let edited = "\(reports)/web-09/web-09-now.report.json"
        #expect(try CommandLineTool.shell("sed -i 's/\"rebuild\"/\"none\"/' '\(edited)'").status == 0)
        let tampered = try CommandLineTool.run(CommandLineTool.driftcheck, ["fleet", reports] + trust)
        #expect(tampered.status == 3)
        #expect(tampered.stdout.contains("UNVERIFIED"))
        #expect(tampered.stdout.contains("web-09: "))
        #expect(tampered.stdout.contains("altered, or signed by a key that is not trusted"))
        // A report planted beside a host's own (unsigned) marks it unverified, but cannot take its drift out of the
        // verdicts: web-01 still counts in the incident.
        let planted = "\(reports)/web-01/web-01-planted.report.json"
        #expect(try CommandLineTool.shell("cp '\(reports)/web-01/web-01-now.report.json' '\(planted)'").status == 0)
        let withPlanted = try CommandLineTool.run(CommandLineTool.driftcheck, ["fleet", reports] + trust)
        #expect(withPlanted.status == 3)
        #expect(
            withPlanted.stdout.contains("on 8 hosts: web-01, web-02, web-03, web-04, web-05, web-06, web-07, web-08"))
        #expect(withPlanted.stdout.contains("web-01: \(planted): unsigned"))
        // Judged as of a time before the reports were made, they are from the future: never believed.
        let past = try CommandLineTool.run(
            CommandLineTool.driftcheck, ["fleet", reports, "--at", "2020-01-01T00:00:00Z"] + trust)
        #expect(past.status == 3)
        #expect(past.stdout.contains("in the future"))
        // A report from a key the fleet does not trust is unverified too, and so is every report without keys.
        #expect(try CommandLineTool.run(CommandLineTool.driftcheck, ["fleet", reports]).status == 3)

        let page = fixture.directory.url("fleet.html")
        let rendered = try CommandLineTool.run(
            CommandLineTool.driftcheck, ["fleet", reports, "--format", "html", "--out", page] + trust)
        #expect(rendered.status == 3)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(html.contains("Legend"))
        #expect(html.range(of: "Incidents")!.lowerBound < html.range(of: "Image web-2026.11")!.lowerBound)
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external assets")
        let shot = try Screenshot.take(page, into: fixture.directory.url("fleet.png"))
        #expect(shot.width == 1000)
        #expect(shot.colours > 20, "the screenshot shows a rendered page, not a blank one")
    }

    @Test(
        """
        fleet --bake writes what the fleet promotes, with the content the hosts kept, and nothing tampering-grade \
        even when as many hosts have it
        """
    )
    func bakeThePromoteList() throws {
        let fixture = try Fixture()
        let baseline = try baselineImage(fixture)
        let reports = fixture.directory.url("reports")
        try fixture.directory.makeDirectory("reports")
        // Hosts 1–3 make the same sshd_config edit; hosts 1–2 also gain a setuid bit (an incident) and edit motd
        // alike; host 4 changes alone.
        for index in 1...4 {
            var drift = ["true"]
            if index <= 3 { drift.append("printf 'MaxAuthTries 3\\n' >> etc/ssh/sshd_config") }
            if index <= 2 { drift += ["chmod u+s usr/bin/tool", "printf 'welcome\\n' > etc/motd"] }
            if index == 4 { drift.append("printf 'only here\\n' > etc/issue") }
            try report(
                fixture, host: "web-0\(index)", drift: drift.joined(separator: " && "), baseline: baseline,
                reports: reports)
        }
        let bake = fixture.directory.url("bake")
        let result = try CommandLineTool.driftcheck(
            "fleet", reports, "--host-pubkey", fixture.pub, "--bake", bake, "--image", "web-2026.11", "--format",
            "json",
            "--out", fixture.directory.url("fleet.json"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("1 promoted changes"), "\(result.stderr)")
        let script = try String(contentsOfFile: bake + "/apply.sh", encoding: .utf8)
        #expect(
            script.contains("install -m 0644 -o 0 -g 0 \"$here/files\"'/etc/ssh/sshd_config' '/etc/ssh/sshd_config'"))
        #expect(!script.contains("/usr/bin/tool") && !script.contains("issue"), "no incident, no snowflake")
        #expect(!script.contains("motd"), "a change seen only on hosts under investigation is not baked")
        let readme = try String(contentsOfFile: bake + "/README.md", encoding: .utf8)
        #expect(
            readme.contains("seen only on hosts under investigation, never baked: file /etc/motd added"), "\(readme)")
        #expect(
            try String(contentsOfFile: bake + "/files/etc/ssh/sshd_config", encoding: .utf8)
                == "PermitRootLogin no\nPasswordAuthentication no\nMaxAuthTries 3\n")
        let mismatch = try CommandLineTool.driftcheck("fleet", reports, "--host-pubkey", fixture.pub, "--bake", bake)
        #expect(mismatch.status == 2 && mismatch.stderr.contains("--bake and --image go together"))
    }

    @Test("two reports that claim the same host under different keys are flagged, and the host is unverified")
    func oneHostTwoKeys() throws {
        let fixture = try Fixture()
        let baseline = try baselineImage(fixture)
        let reports = fixture.directory.url("reports")
        try fixture.directory.makeDirectory("reports")
        try report(fixture, host: "web-01", drift: "true", baseline: baseline, reports: reports, ago: "-1h")
        try report(
            fixture, host: "web-01", drift: "true", baseline: baseline, reports: reports,
            key: fixture.directory.url("other.key"))
        let result = try CommandLineTool.run(
            CommandLineTool.driftcheck,
            ["fleet", reports, "--host-pubkey", fixture.pub, "--host-pubkey", fixture.directory.url("other.pub")])
        #expect(result.status == 3)
        #expect(result.stdout.contains("web-01: reports of this host are signed by 2 different keys"))
    }

    @Test("a key in a directory of host keys signs only the reports of the host it is named after")
    func keysAreBoundToHosts() throws {
        let fixture = try Fixture()
        let baseline = try baselineImage(fixture)
        let keys = fixture.directory.url("keys")
        try fixture.directory.makeDirectory("keys")
        #expect(try CommandLineTool.shell("cp '\(fixture.pub)' '\(keys)/web-01.pub'").status == 0)
        #expect(
            try CommandLineTool.shell("cp '\(fixture.directory.url("other.pub"))' '\(keys)/web-02.pub'").status == 0)
        let reports = fixture.directory.url("reports")
        try fixture.directory.makeDirectory("reports")
        try report(fixture, host: "web-01", drift: "true", baseline: baseline, reports: reports)
        // web-01's key signing a report that claims to be web-02's.
        try report(fixture, host: "web-02", drift: "true", baseline: baseline, reports: reports)
        let result = try CommandLineTool.run(CommandLineTool.driftcheck, ["fleet", reports, "--host-pubkey", keys])
        #expect(result.status == 3)
        #expect(result.stdout.contains("web-02: "))
        #expect(result.stdout.contains("signed with the key of host web-01, not with this host's"))
        #expect(!result.stdout.contains("web-01: "), "web-01's own report verifies")
    }

    @Test(
        "a change a configuration-management tool owns is managed: never promoted, varied or a snowflake to rebuild"
    )
    func managedChangesAreNeitherPromotedNorRebuilt() throws {
        let fixture = try Fixture()
        let baseline = try baselineImage(fixture)
        let reports = fixture.directory.url("reports")
        try fixture.directory.makeDirectory("reports")
        let policy = try fixture.directory.write(
            "policy.yaml", "managed:\n  - {tool: salt, paths: [\"/srv/app/**\"]}\n")
        for index in 1...3 {
            var drift = "echo 'port: 90\(index)' > srv/app/config.yml"
            if index == 1 { drift += " && printf x > usr/bin/evil && chmod 755 usr/bin/evil" }
            try report(
                fixture, host: "web-0\(index)", drift: drift, baseline: baseline, reports: reports,
                extra: ["--policy", policy])
        }
        let json = try CommandLineTool.driftcheck("fleet", reports, "--host-pubkey", fixture.pub, "--format", "json")
        #expect(json.status == 0, "\(json.stderr)")
        let view = try JSONParser.parse(Array(json.stdout.utf8))
        func list(_ value: JSONValue?) -> [JSONValue] {
            guard case .array(let items)? = value else { return [] }
            return items
        }
        let changes = list(view["images"]).flatMap { list($0["changes"]) }
        let managed = changes.filter { $0["verdict"]?.stringValue == "managed" }
        #expect(managed.count == 3, "three values, each one host's, all salt's")
        #expect(managed.allSatisfy { $0["managed_by"]?.stringValue == "salt" })
        #expect(!changes.contains { $0["verdict"]?.stringValue == "varies-per-host" })
        #expect(
            changes.filter { $0["verdict"]?.stringValue == "snowflake" }.map { $0["name"]?.stringValue } == [
                "/usr/bin/evil"
            ])
        #expect(list(view["rebuild"]).compactMap { $0["host"]?.stringValue } == ["web-01"])
        #expect(view["summary"]?["managed_changes"]?.integerValue == 3)
        #expect(view["summary"]?["unmanaged_changes"]?.integerValue == 1)
        let text = try CommandLineTool.driftcheck("fleet", reports, "--host-pubkey", fixture.pub)
        #expect(text.stdout.contains("MANAGED     file /srv/app/config.yml modified"))
        #expect(text.stdout.contains("1 changes owned by no tool, 3 managed by tools"))
    }

    @Test("the same package change is one change whether or not a host's record carries dpkg's evidence keys")
    func evidenceIsNoPartOfAChangesIdentity() throws {
        func item(_ host: String) throws -> HostChange? {
            let json = """
                {"kind":"package","name":"less","change":"added","fields":[],"severity":"high","baseline":null,\
                "host":\(host)}
                """
            var described: [[UInt8]: String] = [:]
            return HostChange(item: try JSONParser.parse(Array(json.utf8)), described: &described)
        }
        let plain = try #require(try item(#"{"manager":"dpkg","version":"590-2","arch":"amd64"}"#))
        let evidenced = try #require(
            try item(
                #"{"manager":"dpkg","version":"590-2","arch":"amd64","accounts":["x"],"activity_start":1,"activity_end":2}"#
            ))
        let other = try #require(try item(#"{"manager":"dpkg","version":"590-3","arch":"amd64"}"#))
        #expect(plain.identity == evidenced.identity)
        #expect(plain.identity != other.identity)
    }

    @Test("the promote threshold is a whole-number share, rounded up, and never below the minimum")
    func promoteThreshold() {
        var settings = FleetSettings(now: 0)
        #expect(settings.promoteThreshold(hosts: 12) == 6)
        #expect(settings.promoteThreshold(hosts: 13) == 7)
        #expect(settings.promoteThreshold(hosts: 1) == 2)
        settings.promotePercent = 7
        #expect(settings.promoteThreshold(hosts: 100) == 7)
        settings.promotePercent = 28
        #expect(settings.promoteThreshold(hosts: 25) == 7)
    }

    @Test(
        "a file that is not JSON, not a report, over 64 MiB or nested too deep is skipped with a one-line reason",
        arguments: [
            ("garbage", "printf 'not json' > F"), ("other-schema", "printf '{\"schema\":\"x\"}' > F"),
            ("huge", "truncate -s 65M F"), ("deep", "python3 -c 'print(\"[\" * 10000 + \"]\" * 10000)' > F"),
        ])
    func badReportsAreSkipped(_ name: String, _ make: String) throws {
        let fixture = try Fixture()
        try fixture.directory.makeDirectory("reports")
        let file = fixture.directory.url("reports/\(name)-1.report.json")
        #expect(try CommandLineTool.shell(make.replacingOccurrences(of: "F", with: "'\(file)'")).status == 0)
        let result = try CommandLineTool.run(
            CommandLineTool.driftcheck,
            ["fleet", fixture.directory.url("reports"), "--host-pubkey", fixture.pub, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let view = try JSONParser.parse(Array(result.stdout.utf8.dropLast()))
        guard case .array(let skipped)? = view["skipped"] else { Issue.record("no skipped list"); return }
        #expect(skipped.count == 1)
        let reason = skipped.first?.stringValue ?? ""
        #expect(reason.contains("\(name)-1.report.json: "))
        #expect(!reason.contains("\n"))
        #expect(view["summary"]?["skipped_files"] == .integer(1))
    }

    @Test("two names that differ only in bytes that are not UTF-8 are two changes, not one change on two hosts")
    func nonUTF8NamesStayApart() throws {
        let fixture = try Fixture()
        try fixture.directory.makeDirectory("reports")
        let baseline = try baselineImage(fixture, image: "odd-1")
        // Each host adds a file whose name ends in one byte that is not UTF-8: 0xE9 on one, 0xFF on the other.
        for (host, byte) in [("a", "\\351"), ("b", "\\377")] {
            let root = fixture.directory.url("host-\(host)")
            let made = try CommandLineTool.shell(
                "cp -a '\(fixture.root)' '\(root)' && touch \"\(root)/srv/odd-$(printf '\(byte)')\"")
            #expect(made.status == 0, "\(made.stderr)")
            let manifest = fixture.directory.url("host-\(host).jsonl")
            #expect(
                try CommandLineTool.driftcheck(
                    "scan", "--root", root, "--image", "odd-1", "--host", host, "--key", fixture.key, "--out",
                    manifest, "--quiet"
                ).status == 0)
            let report = fixture.directory.url("reports/\(host)-20261129T000000Z.report.json")
            let compared = try fixture.compare(
                baseline, manifest, ["--format", "json", "--key", fixture.key, "--out", report])
            #expect(compared.status == 1, "\(compared.stderr)")
        }
        var settings = FleetSettings(now: Int(Date().timeIntervalSince1970))
        try settings.trustHostKeys(at: [fixture.pub])
        let view = try FleetView.load(fixture.directory.url("reports"), settings: settings)
        let odd = view.changes.filter { $0.slot.name.starts(with: Array("/srv/odd-".utf8)) }
        #expect(odd.count == 2)
        #expect(odd.allSatisfy { $0.hosts.count == 1 && $0.verdict == .snowflake })
        #expect(Set(odd.map { $0.slot.name.last }) == [0xE9, 0xFF])
    }
}

/// The fleet of a real Debian 12 image (debootstrap), a dozen hosts changed by apt-get, chmod, setcap, an editor and
/// useradd, each running `check` with its own key (Fixtures/tools/real-fleet.sh). Slow (apt-get, twelve scans) and
/// privileged (chroot, overlay mounts): with DRIFTCHECK_SLOW_TESTS=1.
@Suite("Fleet of a real image", .enabled(if: ScanRaceTests.slow && getuid() == 0))
struct RealFleetTests {
    @Test(
        """
        apt-get on most hosts is promoted, a setuid bit on most is an incident, a patched binary under the same \
        package is investigated, motd per host varies, useradd is a snowflake, an edited report is unverified, \
        a stopped timer is stale, an undone edit is resolved
        """
    )
    func realFleet() throws {
        let fixture = try Fixture()
        let out = fixture.directory.url("fleet")
        try FixtureFiles.runTool("real-fleet.sh", out: out)
        let fleet = try CommandLineTool.run(
            CommandLineTool.driftcheck,
            ["fleet", "\(out)/reports", "--host-pubkey", "\(out)/keys", "--format", "json", "--out", "\(out)/f.json"])
        #expect(fleet.status == 3, "web-08's edited report: \(fleet.stderr)")
        let view = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(out)/f.json"))).dropLast())
        func list(_ value: JSONValue?) -> [JSONValue] {
            guard case .array(let items)? = value else { return [] }
            return items
        }
        let changes = list(view["images"]).flatMap { list($0["changes"]) }
        func hosts(_ verdict: String, _ title: String) -> [String] {
            let change = changes.first { $0["verdict"]?.stringValue == verdict && $0["title"]?.stringValue == title }
            return list(change?["hosts"]).compactMap(\.stringValue)
        }
        let sevenHosts = (1...7).map { "web-0\($0)" }
        #expect(hosts("promote", "package less added") == sevenHosts, "the same apt-get, the same version")
        #expect(hosts("investigate", "package less added") == ["web-10"], "a patched binary under the package")
        #expect(hosts("incident", "file /usr/bin/find modified (mode)") == Array(sevenHosts.dropFirst()))
        #expect(hosts("investigate", "file /usr/bin/date modified (capabilities)") == ["web-03"])
        #expect(hosts("varies-per-host", "file /etc/motd modified") == Array(sevenHosts.prefix(6)))
        #expect(hosts("snowflake", "user deploy added") == ["web-09"])
        #expect(
            !changes.contains {
                $0["verdict"]?.stringValue == "promote" && $0["title"]?.stringValue != "package less added"
            })
        let state = Dictionary(
            uniqueKeysWithValues: list(view["hosts"]).compactMap { host in
                host["host"]?.stringValue.map { ($0, host["state"]?.stringValue ?? "") }
            })
        #expect(state["web-08"] == "unverified")
        #expect(state["web-11"] == "stale")
        #expect(state["web-12"] == "clean")
        let resolved = list(view["images"]).flatMap { list($0["resolved"]) }
        #expect(
            resolved.contains {
                $0["host"]?.stringValue == "web-12"
                    && $0["change"]?.stringValue?.hasPrefix("file /etc/issue modified") == true
            })
        let rebuild = list(view["rebuild"]).compactMap { $0["host"]?.stringValue }
        #expect(
            Set(rebuild) == ["web-02", "web-03", "web-04", "web-05", "web-06", "web-07", "web-09", "web-10", "web-11"])
    }
}
