import Foundation
import Testing

@testable import DriftCheck

@Suite("Compare")
struct CompareTests {
    /// One way to change the host copy of the image, and the fields the report must name.
    struct Mutation: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String
        let fields: [String]
        let severity: String
        let apply: @Sendable (String) -> Void
        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        Mutation(name: "content, same size", path: "/etc/ssh/sshd_config", fields: ["content"], severity: "high") {
            try? Data("PermitRootLogin NO\nPasswordAuthentication no\n".utf8).write(
                to: URL(fileURLWithPath: $0 + "/etc/ssh/sshd_config"))
        },
        Mutation(name: "content and size", path: "/etc/ssh/sshd_config", fields: ["content", "size"], severity: "high")
        {
            try? Data("PermitRootLogin yes\n".utf8).write(to: URL(fileURLWithPath: $0 + "/etc/ssh/sshd_config"))
        },
        Mutation(name: "mode", path: "/usr/bin/tool", fields: ["mode"], severity: "high") {
            chmod($0 + "/usr/bin/tool", 0o777)
        },
        Mutation(name: "setuid gained", path: "/usr/bin/tool", fields: ["mode"], severity: "critical") {
            chmod($0 + "/usr/bin/tool", 0o4755)
        },
        Mutation(name: "owner", path: "/etc/ssh/sshd_config", fields: ["owner"], severity: "high") {
            lchown($0 + "/etc/ssh/sshd_config", 1000, 0)
        },
        Mutation(name: "group", path: "/srv/app/config.yml", fields: ["group"], severity: "medium") {
            lchown($0 + "/srv/app/config.yml", 0, 1000)
        },
        Mutation(name: "symlink target", path: "/usr/bin/tool-link", fields: ["target"], severity: "high") {
            unlink($0 + "/usr/bin/tool-link")
            symlink("/tmp/evil", $0 + "/usr/bin/tool-link")
        },
        Mutation(name: "type", path: "/usr/share/doc/readme", fields: ["type"], severity: "high") {
            unlink($0 + "/usr/share/doc/readme")
            mkdir($0 + "/usr/share/doc/readme", 0o755)
        },
        Mutation(name: "capabilities gained", path: "/usr/bin/tool", fields: ["capabilities"], severity: "critical") {
            _ = try? CommandLineTool.shell("setcap cap_net_raw+ep '\($0)/usr/bin/tool'")
        },
    ]

    private func copyImage(_ fixture: Fixture) throws -> String {
        let host = fixture.directory.url("host")
        let copy = try CommandLineTool.shell("cp -a '\(fixture.root)' '\(host)'")
        #expect(copy.status == 0)
        return host
    }

    @Test("each attribute change is detected with the right fields and severity", arguments: mutations)
    func attributeChange(_ mutation: Mutation) throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        let host = try copyImage(fixture)
        mutation.apply(host)
        let (status, report) = try fixture.jsonReport(baseline, try fixture.scan("host.jsonl", root: host))
        #expect(status == 1)
        let items = Fixture.items(report)
        #expect(items.count == 1, "exactly one drifted entry: \(items.map { $0["name"]?.stringValue ?? "" })")
        let item = try #require(Fixture.item(report, named: mutation.path))
        #expect(item["change"]?.stringValue == "modified")
        #expect(Fixture.fields(item) == mutation.fields)
        #expect(item["severity"]?.stringValue == mutation.severity)
    }

    @Test("an identical copy shows no drift and exits 0")
    func identicalCopyIsClean() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        let host = try copyImage(fixture)
        let result = try fixture.compare(baseline, try fixture.scan("host.jsonl", root: host))
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("Summary: 0 drifted"))
        #expect(result.stdout.contains("Recommendation: none"))
    }

    @Test("added, removed and type-changed objects are reported as such")
    func addedRemovedAndTypeChanged() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        let host = try copyImage(fixture)
        try Data("new".utf8).write(to: URL(fileURLWithPath: host + "/etc/cron.d-evil"))
        unlink(host + "/usr/share/doc/readme")
        unlink(host + "/srv/app/config.yml")
        symlink("/etc/passwd", host + "/srv/app/config.yml")
        let (status, report) = try fixture.jsonReport(baseline, try fixture.scan("host.jsonl", root: host))
        #expect(status == 1)
        #expect(Fixture.item(report, named: "/etc/cron.d-evil")?["change"]?.stringValue == "added")
        #expect(Fixture.item(report, named: "/etc/cron.d-evil")?["severity"]?.stringValue == "high")
        #expect(Fixture.item(report, named: "/usr/share/doc/readme")?["change"]?.stringValue == "removed")
        let retyped = Fixture.item(report, named: "/srv/app/config.yml")
        #expect(retyped?["change"]?.stringValue == "modified")
        #expect(Fixture.fields(retyped) == ["type"])
        #expect(retyped?["host"]?["type"]?.stringValue == "symlink")
        #expect(retyped?["baseline"]?["type"]?.stringValue == "file")
        #expect(report["recommendation"]?["action"]?.stringValue == "rebuild")
    }

    @Test("a modified file with a non-UTF-8 name or a newline in its name is reported losslessly and escaped in text")
    func oddNamesModifiedAreDetected() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let rawName: [UInt8] = Array("/etc/bad".utf8) + [0xFF] + Array("name\n\u{1B}]0;owned\u{07}".utf8)
        func rawPath(_ root: String) -> [CChar] {
            (Array(root.utf8) + rawName).map { CChar(bitPattern: $0) } + [0]
        }
        let created = rawPath(fixture.root).withUnsafeBufferPointer { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        #expect(created >= 0)
        close(created)
        let baseline = try fixture.scan("baseline.jsonl")
        let host = try copyImage(fixture)
        let changed = rawPath(host).withUnsafeBufferPointer { open($0.baseAddress!, O_WRONLY | O_APPEND) }
        #expect(changed >= 0)
        _ = write(changed, "changed", 7)
        close(changed)
        let hostManifest = try fixture.scan("host.jsonl", root: host)
        let (_, report) = try fixture.jsonReport(baseline, hostManifest)
        let item = Fixture.items(report).first { $0["name_b64"] != nil }
        #expect(item?["name_b64"]?.stringValue == Base64.encode(rawName))
        #expect(Fixture.fields(item) == ["content", "size"])
        let text = try fixture.compare(baseline, hostManifest)
        #expect(text.stdout.contains("/etc/bad\\xFFname\\n\\x1B]0;owned\\x07"))
        #expect(!text.stdout.utf8.contains(0x1B), "no raw escape byte reaches the terminal")
        #expect(!text.stdout.utf8.contains(0x07))
    }

    @Test("a host built from another image is reported prominently")
    func imageMismatchIsProminent() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl", image: "web-2026.11")
        let host = try fixture.scan("host.jsonl", image: "web-2026.10")
        let text = try fixture.compare(baseline, host)
        #expect(text.status == 1)
        #expect(text.stdout.contains("IMAGE MISMATCH"))
        let (_, report) = try fixture.jsonReport(baseline, host)
        #expect(report["image_mismatch"] == .bool(true))
        #expect(Fixture.items(report).first?["kind"]?.stringValue == "image")
    }

    @Test("--fail-on lets drift below the threshold pass the gate")
    func failOnThreshold() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = try fixture.scan("baseline.jsonl")
        let host = try copyImage(fixture)
        try Data("port: 9090\n".utf8).write(to: URL(fileURLWithPath: host + "/srv/app/config.yml"))
        let hostManifest = try fixture.scan("host.jsonl", root: host)
        #expect(try fixture.compare(baseline, hostManifest, ["--fail-on", "high"]).status == 0)
        #expect(try fixture.compare(baseline, hostManifest, ["--fail-on", "medium"]).status == 1)
        #expect(try fixture.compare(baseline, hostManifest).status == 1)
        #expect(try fixture.compare(baseline, hostManifest, ["--fail-on", "severe"]).status == 2)
    }

    @Test("the report is written atomically to --out and the image stamp names the baseline")
    func reportToFileAndStamp() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let baseline = fixture.directory.url("baseline.jsonl")
        let made = try CommandLineTool.driftcheck(
            "baseline", "--root", fixture.root, "--image", "stamped-1", "--key", fixture.key, "--out", baseline)
        #expect(made.status == 0, "\(made.stderr)")
        let stamp = try String(contentsOfFile: fixture.root + "/etc/driftcheck/image-id", encoding: .utf8)
        #expect(stamp == "stamped-1\n")
        let host = try copyImage(fixture)
        let hostManifest = fixture.directory.url("host.jsonl")
        let scanned = try CommandLineTool.driftcheck(
            "scan", "--root", host, "--key", fixture.key, "--out", hostManifest)
        #expect(scanned.status == 0)
        #expect(try fixture.entries(hostManifest).count > 5)
        let report = fixture.directory.url("report.json")
        let result = try fixture.compare(baseline, hostManifest, ["--format", "json", "--out", report])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let parsed = try JSONParser.parse(
            Array(try Data(contentsOf: URL(fileURLWithPath: report))).dropLast().map { $0 })
        #expect(parsed["image"]?.stringValue == "stamped-1")
        #expect(parsed["schema"]?.stringValue == "driftcheck-report/1")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty)
    }
}

@Suite("Live allowlist")
struct LiveAllowlistTests {
    private func item(_ kind: EntryKind, _ name: String, _ change: ChangeKind = .added) -> DriftItem {
        DriftItem(
            kind: kind, name: Array(name.utf8), change: change, fields: [], severity: .high, baseline: nil,
            host: .record(RecordEntry(kind: kind, name: name, fields: [])))
    }

    @Test("ports and modules matching the allowlist are dropped against an image baseline, others kept")
    func allowlistFilters() throws {
        let list = try LiveAllowlist(
            contents: Array("# ssh and dhcp\nport tcp/0.0.0.0:22\nport udp/*:68   # any address\nmodule nf_*\n".utf8),
            path: "allow.txt")
        let items = [
            item("port", "tcp/0.0.0.0:22"), item("port", "tcp/0.0.0.0:4444"), item("port", "udp/0.0.0.0:68"),
            item("module", "nf_tables"), item("module", "rootkit"), item("file", "/etc/x"),
        ]
        let (kept, allowed) = list.filter(items, baselineIsLive: false)
        #expect(kept.map { String(decoding: $0.name, as: UTF8.self) } == ["tcp/0.0.0.0:4444", "rootkit", "/etc/x"])
        #expect(allowed == 3)
        #expect(list.filter(items, baselineIsLive: true).kept.count == items.count, "two live scans compare as usual")
    }

    @Test("a malformed allowlist line is an error naming the file and line")
    func malformedAllowlist() {
        #expect(throws: DriftCheckError.self) {
            try LiveAllowlist(contents: Array("port tcp/*:22\nservice sshd\n".utf8), path: "allow.txt")
        }
        do {
            _ = try LiveAllowlist(contents: Array("port tcp/*:22\nservice sshd\n".utf8), path: "allow.txt")
        } catch {
            #expect(error.description == "allow.txt: line 2: expected \"port PATTERN\" or \"module PATTERN\"")
        }
    }
}

@Suite("Grouping")
struct GroupingTests {
    private func file(_ path: String, package: String? = nil, target: String? = nil) -> DriftItem {
        var entry = FileEntry(
            path: Array(path.utf8), type: target == nil ? .file : .symlink, permissions: 0o755, uid: 0, gid: 0, size: 1,
            modified: Timestamp(seconds: 0, nanoseconds: 0), changed: Timestamp(seconds: 0, nanoseconds: 0))
        entry.package = package
        entry.target = target.map { Array($0.utf8) }
        return DriftItem(
            kind: "file", name: Array(path.utf8), change: .added, fields: [], severity: .high, baseline: nil,
            host: .file(entry))
    }

    @Test("links made by update-alternatives follow their target to the package that installed it")
    func alternativesFollowTheirPackage() {
        let package = DriftItem(
            kind: "package", name: Array("nano".utf8), change: .added, fields: [], severity: .high, baseline: nil,
            host: .record(RecordEntry(kind: "package", name: "nano", fields: [])))
        let items = [
            file("/etc/alternatives/editor", target: "/bin/nano"), package,
            file("/usr/bin/editor", target: "/etc/alternatives/editor"), file("/usr/bin/nano", package: "nano"),
            file("/usr/bin/elsewhere", target: "/opt/tool"),
        ]
        let grouped = Grouping.group(items)
        #expect(grouped.map { String(decoding: $0.name, as: UTF8.self) } == ["nano", "/usr/bin/elsewhere"])
        #expect(
            grouped.first?.related.map { String(decoding: $0.name, as: UTF8.self) } == [
                "/etc/alternatives/editor", "/usr/bin/editor", "/usr/bin/nano",
            ])
    }
}

extension GroupingTests {
    @Test("relative link targets resolve against the link's directory; a package's own cron job and unit go under it")
    func relativeLinksAndPackageRecords() {
        let package = DriftItem(
            kind: "package", name: Array("ca-certificates".utf8), change: .added, fields: [], severity: .high,
            baseline: nil, host: .record(RecordEntry(kind: "package", name: "ca-certificates", fields: [])))
        let cron = DriftItem(
            kind: "cron", name: Array("/etc/cron.daily/refresh".utf8), change: .added, fields: [], severity: .high,
            baseline: nil, host: .record(RecordEntry(kind: "cron", name: "/etc/cron.daily/refresh", fields: [])))
        let foreignCron = DriftItem(
            kind: "cron", name: Array("/etc/cron.d/beacon".utf8), change: .added, fields: [], severity: .high,
            baseline: nil, host: .record(RecordEntry(kind: "cron", name: "/etc/cron.d/beacon", fields: [])))
        let items = [
            foreignCron, cron, package, file("/etc/cron.daily/refresh", package: "ca-certificates"),
            file("/etc/ssl/certs/002c0b4f.0", target: "GlobalSign.pem"),
            file("/etc/ssl/certs/GlobalSign.pem", target: "../../../usr/share/ca-certificates/GlobalSign.crt"),
            file("/usr/share/ca-certificates/GlobalSign.crt", package: "ca-certificates"),
        ]
        let grouped = Grouping.group(items)
        #expect(grouped.map { String(decoding: $0.name, as: UTF8.self) } == ["/etc/cron.d/beacon", "ca-certificates"])
        #expect(grouped.last?.related.count == 5)
    }
}

extension GroupingTests {
    @Test("a file added in a directory that an added package created goes under that package; elsewhere it stays")
    func filesInANewPackageDirectory() {
        let package = DriftItem(
            kind: "package", name: Array("exim4-config".utf8), change: .added, fields: [], severity: .high,
            baseline: nil, host: .record(RecordEntry(kind: "package", name: "exim4-config", fields: [])))
        var directory = file("/etc/exim4", package: "exim4-config")
        if case .file(var entry)? = directory.host {
            entry.type = .dir
            directory.host = .file(entry)
        }
        var configuration = file("/etc/exim4/update-exim4.conf.conf")
        if case .file(var entry)? = configuration.host {
            entry.permissions = 0o644
            configuration.host = .file(entry)
        }
        let items = [directory, configuration, file("/etc/mailname"), package]
        let grouped = Grouping.group(items)
        #expect(grouped.map { String(decoding: $0.name, as: UTF8.self) } == ["/etc/mailname", "exim4-config"])
        #expect(grouped.last?.related.count == 2)
    }
}

extension GroupingTests {
    @Test(
        """
        a setuid binary a package installed in dpkg's window is the package's: rebuild, not investigate; with no \
        window, or a loose one, it is investigated
        """
    )
    func packageSetuidIsNotTampering() {
        var setuid = file("/usr/bin/crontab", package: "cron")
        setuid.severity = .critical
        setuid.finding = .gainedPrivilege
        let window = [RecordField("activity_start", .number(0)), RecordField("activity_end", .number(2))]
        let package = DriftItem(
            kind: "package", name: Array("cron".utf8), change: .added, fields: [], severity: .high, baseline: nil,
            host: .record(RecordEntry(kind: "package", name: "cron", fields: window)))
        func recommendation(_ items: [DriftItem]) -> Recommendation {
            var grouped = Grouping.group(items)
            Comparison.settle(&grouped)
            return Recommender.recommend(grouped, rules: RebuildRules(), lifecycle: ImageLifecycle())
        }
        #expect(recommendation([package, setuid]).action == .rebuild)
        var undated = package
        undated.host = .record(RecordEntry(kind: "package", name: "cron", fields: []))
        #expect(recommendation([undated, setuid]).action == .investigate, "no evidence: privilege is not explained")
        var loose = setuid
        if case .file(var entry)? = loose.host {
            entry.package = nil
            loose.host = .file(entry)
        }
        #expect(recommendation([package, loose]).action == .investigate)
    }
}
