import Foundation
import Testing

@testable import DriftCheck

/// The rules that keep driftcheck quiet without letting quiet hide anything: rules narrowed by the fields that
/// changed, privilege and new programs never quieted, severities that match what happened, grouping under the owner
/// from dpkg's own evidence, and paths a configuration-management tool owns.
@Suite("Quiet and severities")
struct QuietAndSeverityTests {
    static let stamp = Timestamp(seconds: 1_764_400_000, nanoseconds: 0)

    static func file(
        _ path: String, mode: UInt32 = 0o644, uid: UInt32 = 0, content: UInt8 = 1, capabilities: [UInt8]? = nil,
        package: String? = nil, conffile: Bool = false, ctime: Int64 = 1_764_400_000
    ) -> ManifestEntry {
        var entry = FileEntry(
            path: Array(path.utf8), type: .file, permissions: mode, uid: uid, gid: 0, size: 10, modified: stamp,
            changed: Timestamp(seconds: ctime, nanoseconds: 0))
        entry.sha256 = [UInt8](repeating: content, count: 32)
        entry.capabilities = capabilities
        entry.package = package
        entry.conffile = conffile
        return .file(entry)
    }

    static func record(_ kind: EntryKind, _ name: String, _ fields: [RecordField]) -> ManifestEntry {
        .record(RecordEntry(kind: kind, name: name, fields: fields))
    }

    static func package(
        _ name: String, _ version: String, window: ClosedRange<Int64>? = nil, accounts: [String] = [],
        scriptPaths: [String] = []
    )
        -> ManifestEntry
    {
        var fields = [
            RecordField("manager", .text("dpkg")), RecordField("version", .text(version)),
            RecordField("arch", .text("amd64")), RecordField("status", .text("install ok installed")),
        ]
        if !accounts.isEmpty { fields.append(RecordField("accounts", .list(accounts))) }
        if !scriptPaths.isEmpty { fields.append(RecordField("script_paths", .list(scriptPaths))) }
        if let window {
            fields.append(RecordField("activity_start", .number(window.lowerBound)))
            fields.append(RecordField("activity_end", .number(window.upperBound)))
        }
        return record(.package, name, fields)
    }

    static func service(_ name: String, enabled: Bool, masked: Bool = false) -> ManifestEntry {
        record(
            .service, name,
            [
                RecordField("manager", .text("systemd")),
                RecordField("enabled", .text(enabled ? "enabled" : "disabled")),
                RecordField("wanted_by", .list(enabled ? ["multi-user.target"] : [])),
                RecordField("masked", .flag(masked)), RecordField("unit", .text("ab12")),
                RecordField("dropins", .list([])),
            ])
    }

    static func user(
        _ name: String, uid: Int64, home: String = "/nonexistent", shell: String = "/usr/sbin/nologin"
    ) -> ManifestEntry {
        record(
            .user, name,
            [
                RecordField("uid", .number(uid)), RecordField("gid", .number(uid)), RecordField("home", .text(home)),
                RecordField("shell", .text(shell)), RecordField("password", .text("locked")),
            ])
    }

    static func item(_ baseline: ManifestEntry?, _ host: ManifestEntry?) throws -> DriftItem {
        try #require(Comparer.item(baseline: baseline, host: host))
    }

    /// The stages after the merge, as `Comparison.judge` runs them, on items.
    static func judge(_ items: [DriftItem], policy: Policy = DefaultPolicy.policy) -> [DriftItem] {
        var grouped = Grouping.group(policy.apply(to: items).items)
        Comparison.settle(&grouped)
        return grouped
    }

    // MARK: rules narrowed by change

    @Test("a per-host file's content is quiet, but its owner, group or mode changing keeps its full severity")
    func quietRulesAreNarrowedByField() throws {
        let policy = DefaultPolicy.policy
        let rewritten = try Self.item(Self.file("/etc/hosts"), Self.file("/etc/hosts", content: 2))
        #expect(policy.apply(to: [rewritten]).items.isEmpty)
        let chowned = try Self.item(Self.file("/etc/hosts"), Self.file("/etc/hosts", uid: 1000, content: 2))
        let kept = policy.apply(to: [chowned]).items
        #expect(kept.count == 1)
        #expect(kept.first?.severity == .high)
        #expect(kept.first?.fields.contains(.file(.owner)) == true)
        let chmodded = try Self.item(Self.file("/etc/machine-id"), Self.file("/etc/machine-id", mode: 0o666))
        #expect(policy.apply(to: [chmodded]).items.first?.severity == .high)
    }

    @Test("policy show prints which fields a rule quiets, which trees hold data, and reads back")
    func policyShowPrintsNarrowing() throws {
        let yaml = PolicyRenderer.yaml(DefaultPolicy.policy)
        #expect(yaml.contains("{path: \"/etc/hostname\", quiets: [\"content\", \"size\"], ignore: true}"))
        #expect(yaml.contains("{path: \"/var/log/**\", data: true, ignore: true}"))
        let reread = try PolicyParser.parse(yaml, path: "shown").policy
        #expect(
            reread.rules
                == DefaultPolicy.policy.rules.map { rule in
                    var copy = rule
                    copy.origin = reread.rules.first { $0.path == rule.path && $0.kind == rule.kind }?.origin ?? ""
                    return copy
                })
    }

    // MARK: no rule hides privilege

    @Test(
        "a setuid shell under /var/cache, cap_setuid under /var/log: critical tampering wherever the policy is quiet",
        arguments: [
            ("/var/cache/.s/sh", UInt32(0o4755), nil as [UInt8]?), ("/var/log/.x/date", UInt32(0o755), [1, 2, 3]),
            ("/var/tmp/sh", UInt32(0o2755), nil), ("/etc/hostname", UInt32(0o4755), nil),
        ])
    func privilegeIsNeverQuieted(path: String, mode: UInt32, capabilities: [UInt8]?) throws {
        let added = try Self.item(nil, Self.file(path, mode: mode, capabilities: capabilities))
        let judged = Self.judge([added])
        #expect(judged.count == 1)
        #expect(judged.first?.severity == .critical)
        #expect(judged.first?.tampering == true)
        let recommendation = Recommender.recommend(judged, rules: RebuildRules(), lifecycle: ImageLifecycle())
        #expect(recommendation.action == .investigate)
    }

    @Test("a setuid file already setuid in the image, changed under a quiet path, is still reported critical")
    func privilegedFileChangedInQuietPathIsCritical() throws {
        let changed = try Self.item(
            Self.file("/var/cache/app/helper", mode: 0o4755),
            Self.file("/var/cache/app/helper", mode: 0o4755, content: 9))
        let judged = Self.judge([changed])
        #expect(judged.first?.severity == .critical)
        #expect(judged.first?.finding == .privilegedFileChanged)
        #expect(judged.first?.tampering == true)
    }

    @Test("only a rule naming the very file and the privilege allows it; a wildcard cannot")
    func onlyAnExplicitRuleAllowsPrivilege() throws {
        let policy = try PolicyParser.parse(
            "rules:\n  - {path: /opt/vendor/bin/helper, allow_privilege: [setuid], ignore: true}\n", path: "p.yaml"
        )
        .policy
        let setuid = try Self.item(nil, Self.file("/opt/vendor/bin/helper", mode: 0o4755))
        #expect(policy.apply(to: [setuid]).items.isEmpty)
        let setuidAndCapabilities = try Self.item(
            nil, Self.file("/opt/vendor/bin/helper", mode: 0o4755, capabilities: [1]))
        #expect(policy.apply(to: [setuidAndCapabilities]).items.first?.severity == .critical)
        #expect(throws: DriftCheckError.self) {
            try PolicyParser.parse("rules:\n  - {path: /opt/**, allow_privilege: [setuid], ignore: true}\n", path: "p")
        }
    }

    @Test("a new executable where the policy expects data is reported at medium; a new log file is not")
    func newExecutableInDataPath() throws {
        let dropped = try Self.item(nil, Self.file("/var/tmp/.x/backdoor", mode: 0o755))
        let judged = Self.judge([dropped])
        #expect(judged.first?.severity == .medium)
        #expect(judged.first?.finding == .executableInDataPath)
        let log = try Self.item(nil, Self.file("/var/log/app.log"))
        #expect(Self.judge([log]).isEmpty)
        let madeExecutable = try Self.item(
            Self.file("/var/cache/app/blob"), Self.file("/var/cache/app/blob", mode: 0o755))
        #expect(Self.judge([madeExecutable]).first?.finding == .executableInDataPath)
    }

    // MARK: severities

    @Test("disabling, masking or adding a drop-in to a service is high, so it alone asks for a rebuild")
    func serviceChangesAreHigh() throws {
        let disabled = try Self.item(
            Self.service("cron.service", enabled: true), Self.service("cron.service", enabled: false))
        #expect(disabled.severity == .high)
        let masked = try Self.item(
            Self.service("cron.service", enabled: true), Self.service("cron.service", enabled: true, masked: true))
        #expect(masked.severity == .high)
        let removed = try Self.item(Self.service("cron.service", enabled: true), nil)
        #expect(removed.severity == .high)
        #expect(
            Recommender.recommend([disabled], rules: RebuildRules(), lifecycle: ImageLifecycle()).action == .rebuild)
    }

    @Test("a conffile edited by hand is high configuration drift, never tampering")
    func conffileEditIsHighNotTampering() throws {
        let edited = try Self.item(
            Self.file("/etc/login.defs", package: "login", conffile: true),
            Self.file("/etc/login.defs", content: 2, package: "login", conffile: true))
        #expect(edited.severity == .high)
        #expect(edited.finding == .conffileEdited(package: "login"))
        #expect(!edited.looksLikeTampering)
    }

    @Test("a package's binary changed outside dpkg is critical; its documentation changed is high")
    func codeChangedOutsidePackageManagerIsCritical() throws {
        let binary = try Self.item(
            Self.file("/usr/bin/less", mode: 0o755, package: "less"),
            Self.file("/usr/bin/less", mode: 0o755, content: 2, package: "less"))
        #expect(binary.severity == .critical)
        #expect(binary.looksLikeTampering)
        let library = try Self.item(
            Self.file("/usr/lib/x86_64-linux-gnu/libpcap.so.1.10.3", package: "libpcap0.8"),
            Self.file("/usr/lib/x86_64-linux-gnu/libpcap.so.1.10.3", content: 2, package: "libpcap0.8"))
        #expect(library.severity == .critical)
        let document = try Self.item(
            Self.file("/usr/share/doc/less/README", package: "less"),
            Self.file("/usr/share/doc/less/README", content: 2, package: "less"))
        #expect(document.severity == .high)
        #expect(document.finding == .changedOutsidePackageManager(package: "less"))
        #expect(!document.looksLikeTampering)
    }

    // MARK: grouping and tampering under an owner

    @Test("a binary patched after its package's upgrade (ctime after dpkg's window) makes the upgrade investigate")
    func tamperingUnderAnUpgradeIsInvestigated() throws {
        let window: ClosedRange<Int64> = 1_764_400_000...1_764_400_004
        let upgraded = try Self.item(Self.package("less", "590-1"), Self.package("less", "590-2", window: window))
        #expect(upgraded.severity == .medium)
        let fromUpgrade = try Self.item(
            Self.file("/usr/bin/less", mode: 0o755, package: "less"),
            Self.file("/usr/bin/less", mode: 0o755, content: 2, package: "less", ctime: 1_764_400_003))
        let clean = Self.judge([upgraded, fromUpgrade])
        #expect(clean.count == 1)
        #expect(clean.first?.severity == .medium)
        #expect(clean.first?.tampering == false)
        let patchedLater = try Self.item(
            Self.file("/usr/bin/lesskey", mode: 0o755, package: "less"),
            Self.file("/usr/bin/lesskey", mode: 0o755, content: 3, package: "less", ctime: 1_764_403_600))
        let judged = Self.judge([upgraded, fromUpgrade, patchedLater])
        #expect(judged.count == 1, "still grouped under its package")
        #expect(judged.first?.severity == .critical, "as severe as the worst thing under it")
        #expect(judged.first?.tampering == true)
        #expect(
            Recommender.recommend(judged, rules: RebuildRules(), lifecycle: ImageLifecycle()).action == .investigate)
    }

    @Test("a package's system user and group, and the files its postinst made, go under the package")
    func maintainerScriptLeftoversGoUnderThePackage() throws {
        let window: ClosedRange<Int64> = 1_764_400_000...1_764_400_001
        let tcpdump = try Self.item(
            nil,
            Self.package(
                "tcpdump", "4.99.3-1", window: window, accounts: ["tcpdump"],
                scriptPaths: ["/etc/apparmor.d/local/usr.bin.tcpdump"]))
        let user = try Self.item(nil, Self.user("tcpdump", uid: 102))
        let group = try Self.item(nil, Self.record(.group, "tcpdump", [RecordField("gid", .number(105))]))
        let override = try Self.item(nil, Self.file("/etc/apparmor.d/local/usr.bin.tcpdump", ctime: 1_764_400_001))
        let state = try Self.item(nil, Self.file("/var/lib/tcpdump/state", ctime: 1_764_400_001))
        let unnamedInEtc = try Self.item(nil, Self.file("/etc/tcpdump.local", ctime: 1_764_400_001))
        let unrelated = try Self.item(nil, Self.file("/var/lib/motd.local", ctime: 1_764_400_300))
        let judged = Self.judge([tcpdump, user, group, override, state, unnamedInEtc, unrelated])
        #expect(judged.map(\.nameText) == ["tcpdump", "/etc/tcpdump.local", "/var/lib/motd.local"])
        #expect(
            Set(judged.first?.related.map(\.nameText) ?? []) == [
                "tcpdump", "/etc/apparmor.d/local/usr.bin.tcpdump", "/var/lib/tcpdump/state",
            ])
        #expect(judged.first?.related.filter { $0.kind == .user || $0.kind == .group }.count == 2)
    }

    @Test(
        "in one apt run, a file goes under the package whose scripts name it; an edit or a chown in that second does not"
    )
    func overlappingWindowsNeedTheScriptsWord() throws {
        let second: ClosedRange<Int64> = 1_764_400_000...1_764_400_001
        let library = try Self.item(nil, Self.package("libpcap0.8:amd64", "1.10.3-1", window: second))
        let tcpdump = try Self.item(
            nil,
            Self.package(
                "tcpdump", "4.99.3-1", window: second, scriptPaths: ["/etc/apparmor.d/local/usr.bin.tcpdump"]))
        func added(_ path: String, directory: Bool = false) throws -> DriftItem {
            guard directory else { return try Self.item(nil, Self.file(path)) }
            var entry = FileEntry(
                path: Array(path.utf8), type: .dir, permissions: 0o755, uid: 0, gid: 0, size: 4096,
                modified: Self.stamp, changed: Self.stamp)
            entry.sha256 = nil
            return try Self.item(nil, .file(entry))
        }
        let override = try added("/etc/apparmor.d/local/usr.bin.tcpdump")
        let directory = try added("/etc/apparmor.d/local", directory: true)
        let stray = try added("/etc/stray.conf")
        let conffile = try Self.item(
            Self.file("/etc/login.defs", package: "login", conffile: true),
            Self.file("/etc/login.defs", content: 2, package: "login", conffile: true))
        let chowned = try Self.item(Self.file("/etc/hosts"), Self.file("/etc/hosts", uid: 1000))
        let judged = Self.judge([library, tcpdump, override, directory, stray, conffile, chowned])
        let top = judged.map(\.nameText)
        #expect(top == ["libpcap0.8:amd64", "tcpdump", "/etc/stray.conf", "/etc/login.defs", "/etc/hosts"])
        #expect(
            judged[1].related.map(\.nameText).sorted() == [
                "/etc/apparmor.d/local", "/etc/apparmor.d/local/usr.bin.tcpdump",
            ])
        #expect(judged.first { $0.nameText == "/etc/login.defs" }?.finding == .conffileEdited(package: "login"))
        #expect(judged.first { $0.nameText == "/etc/hosts" }?.severity == .high)
    }

    @Test("an account a package names goes under it only if it is a system account no one can log in with")
    func onlyAccountsWithNoWayInGoUnderAPackage() throws {
        let package = try Self.item(nil, Self.package("evil", "1", accounts: ["toor", "sh", "svc"]))
        let root = try Self.item(nil, Self.user("toor", uid: 0))
        let login = try Self.item(nil, Self.user("sh", uid: 1001, home: "/etc", shell: "/bin/bash"))
        let system = try Self.item(nil, Self.user("svc", uid: 120))
        let preload = try Self.item(nil, Self.file("/etc/ld.so.preload"))
        let judged = Self.judge([package, root, login, system, preload])
        #expect(judged.map(\.nameText) == ["evil", "toor", "sh", "/etc/ld.so.preload"])
        #expect(judged.first?.related.map(\.nameText) == ["svc"])
        #expect(judged[1].severity == .critical && judged[1].tampering)
        #expect(judged[2].related.isEmpty, "a home of /etc gathers nothing")
    }

    @Test("an authorized_keys file in a package's system account's home is listed under it even in the short report")
    func keysUnderAPackagesAccountAreShown() throws {
        let package = try Self.item(nil, Self.package("svc", "1", accounts: ["svc"]))
        let user = try Self.item(nil, Self.user("svc", uid: 120, home: "/var/lib/svc"))
        let keys = try Self.item(nil, Self.file("/var/lib/svc/.ssh/authorized_keys"))
        let passwd = try Self.item(Self.file("/etc/passwd"), Self.file("/etc/passwd", content: 2))
        let judged = Self.judge([package, user, keys, passwd])
        #expect(judged.count == 1)
        let owner = try #require(judged.first)
        #expect(owner.related.map(\.nameText).sorted() == ["/etc/passwd", "/var/lib/svc/.ssh/authorized_keys", "svc"])
        #expect(
            owner.related.filter(owner.shouldShow).map(\.nameText).sorted() == [
                "/var/lib/svc/.ssh/authorized_keys", "svc",
            ])
    }

    @Test(
        """
        an upgraded package's binary with no dpkg window is high and unconfirmed; a setuid bit set after the upgrade, \
        or on a held package, is tampering
        """
    )
    func privilegeAndUpgradesFailClosed() throws {
        let upgraded = try Self.item(Self.package("foo", "1.0"), Self.package("foo", "1.1"))
        let binary = try Self.item(
            Self.file("/usr/bin/foo", mode: 0o755, package: "foo"),
            Self.file("/usr/bin/foo", mode: 0o755, content: 2, package: "foo"))
        let unconfirmed = Self.judge([upgraded, binary])
        #expect(unconfirmed.first?.severity == .high)
        #expect(unconfirmed.first?.related.first?.finding == .unconfirmedPackageChange(package: "foo"))
        #expect(unconfirmed.first?.tampering == false)
        let window: ClosedRange<Int64> = 1_764_390_000...1_764_390_004
        let dated = try Self.item(Self.package("foo", "1.0"), Self.package("foo", "1.1", window: window))
        let setuidLater = try Self.item(
            Self.file("/usr/bin/foo", mode: 0o755, package: "foo"),
            Self.file("/usr/bin/foo", mode: 0o4755, content: 2, package: "foo", ctime: 1_764_400_000))
        let judged = Self.judge([dated, setuidLater])
        #expect(judged.first?.tampering == true)
        #expect(judged.first?.severity == .critical)
        let setuidInWindow = try Self.item(
            Self.file("/usr/bin/foo", mode: 0o755, package: "foo"),
            Self.file("/usr/bin/foo", mode: 0o4755, content: 2, package: "foo", ctime: 1_764_390_002))
        #expect(Self.judge([dated, setuidInWindow]).first?.tampering == false, "the upgrade set it")
        let held = try Self.item(
            Self.package("foo", "1.0"),
            .record(
                RecordEntry(
                    kind: .package, name: "foo",
                    fields: [
                        RecordField("manager", .text("dpkg")), RecordField("version", .text("1.0")),
                        RecordField("arch", .text("amd64")), RecordField("status", .text("hold ok installed")),
                    ])))
        let setuidOnHeld = try Self.item(
            Self.file("/usr/bin/foo", mode: 0o755, package: "foo"),
            Self.file("/usr/bin/foo", mode: 0o4755, package: "foo"))
        #expect(Self.judge([held, setuidOnHeld]).first?.tampering == true)
    }

    @Test("allow_privilege does not cover a changed program; no rule lowers a new root account")
    func allowancesStayNarrow() throws {
        let policy = try PolicyParser.parse(
            """
            rules:
              - {path: /opt/vendor/bin/helper, allow_privilege: [setuid], ignore: true}
              - {kind: user, name: "svc-*", severity: low}
            """, path: "p.yaml"
        ).policy
        let trojaned = try Self.item(
            Self.file("/opt/vendor/bin/helper", mode: 0o4755),
            Self.file("/opt/vendor/bin/helper", mode: 0o4755, content: 7))
        #expect(policy.apply(to: [trojaned]).items.first?.severity == .critical)
        let root = try Self.item(nil, Self.user("svc-root", uid: 0))
        #expect(policy.apply(to: [root]).items.first?.severity == .critical)
    }

    @Test(
        """
        a service explains only its own files: another unit's enablement link or a changed init script under it is \
        shown; a package explains its directory's new mode only inside its dpkg window
        """
    )
    func ownersExplainOnlyTheirOwn() throws {
        let service = try Self.item(
            Self.service("nginx.service", enabled: true), Self.service("nginx.service", enabled: false))
        func link(_ path: String, to target: String) -> ManifestEntry {
            var entry = FileEntry(
                path: Array(path.utf8), type: .symlink, permissions: 0o777, uid: 0, gid: 0, size: 10,
                modified: Self.stamp, changed: Self.stamp)
            entry.target = Array(target.utf8)
            return .file(entry)
        }
        let own = try Self.item(
            link("/etc/systemd/system/multi-user.target.wants/nginx.service", to: "/lib/systemd/system/nginx.service"),
            nil)
        let foreign = try Self.item(
            nil, link("/etc/systemd/system/multi-user.target.wants/evil.path", to: "/etc/systemd/system/evil.path"))
        let script = try Self.item(
            Self.file("/etc/init.d/nginx", mode: 0o755), Self.file("/etc/init.d/nginx", mode: 0o755, content: 9))
        let owner = service.nameText
        #expect(owner == "nginx.service")
        var parent = service
        parent.related = [own, foreign, script]
        #expect(parent.explains(own))
        #expect(!parent.explains(foreign), "another unit's link")
        #expect(!parent.explains(script), "a program whose content changed")
        #expect(parent.shouldShow(script))

        let upgraded = try Self.item(Self.package("foo", "1.0"), Self.package("foo", "1.1"))
        var directory = FileEntry(
            path: Array("/etc/sudoers.d".utf8), type: .dir, permissions: 0o755, uid: 0, gid: 0, size: 4096,
            modified: Self.stamp, changed: Self.stamp)
        directory.package = "foo"
        var opened = directory
        opened.permissions = 0o777
        let chmodded = try Self.item(.file(directory), .file(opened))
        let judged = Self.judge([upgraded, chmodded])
        #expect(judged.count == 1)
        #expect(judged.first?.severity == .high, "not explained without a window: it raises the upgrade")
        #expect(judged.first.map { $0.shouldShow($0.related[0]) } == true)
    }

    @Test("a SysV link that does not lead to its init script stays on its own")
    func foreignRcLinkStaysTopLevel() throws {
        let service = try Self.item(
            Self.service("ssh.service", enabled: true), Self.service("ssh.service", enabled: false))
        var entry = FileEntry(
            path: Array("/etc/rc2.d/S01ssh".utf8), type: .symlink, permissions: 0o777, uid: 0, gid: 0, size: 6,
            modified: Self.stamp, changed: Self.stamp)
        entry.target = Array("/tmp/x".utf8)
        let link = try Self.item(nil, .file(entry))
        #expect(Self.judge([service, link]).count == 2)
    }

    @Test("SysV rc links rewritten by systemctl disable go under the service")
    func sysvLinksGoUnderTheService() throws {
        let disabled = try Self.item(
            Self.service("cron.service", enabled: true), Self.service("cron.service", enabled: false))
        func link(_ name: String) -> ManifestEntry {
            var entry = FileEntry(
                path: Array(name.utf8), type: .symlink, permissions: 0o777, uid: 0, gid: 0, size: 14,
                modified: Self.stamp, changed: Self.stamp)
            entry.target = Array("../init.d/cron".utf8)
            return .file(entry)
        }
        var items = [disabled]
        for level in 2...5 {
            items.append(try Self.item(link("/etc/rc\(level).d/S01cron"), nil))
            items.append(try Self.item(nil, link("/etc/rc\(level).d/K01cron")))
        }
        let judged = Self.judge(items)
        #expect(judged.count == 1)
        #expect(judged.first?.related.count == 8)
        #expect(judged.first?.severity == .high)
    }

    @Test(
        """
        on the RPM path (the rpmdb.sqlite rpm 4.18 wrote): a %config file edited is a high conffile edit, the \
        package's binary patched is critical tampering, its data file edited is high
        """
    )
    func rpmConfigAndCode() throws {
        let fixture = try Fixture()
        try fixture.directory.makeDirectory("image/var/lib/rpm")
        let database = try FixtureFiles.bytes("rpm/rpmdb.sqlite")
        try Data(database).write(to: URL(fileURLWithPath: fixture.root + "/var/lib/rpm/rpmdb.sqlite"))
        _ = try fixture.directory.write("image/etc/hello/hello.conf", "greeting = hello\n")
        _ = try fixture.directory.write("image/usr/bin/hello-tool", "#!/bin/sh\necho hello\n", mode: 0o755)
        _ = try fixture.directory.write("image/usr/share/tiny/data.txt", "data\n")
        let baseline = try fixture.scan("baseline.jsonl")
        _ = try fixture.directory.write("image/etc/hello/hello.conf", "greeting = hi\n")
        _ = try fixture.directory.write("image/usr/bin/hello-tool", "#!/bin/sh\necho pwned\n", mode: 0o755)
        _ = try fixture.directory.write("image/usr/share/tiny/data.txt", "changed\n")
        let host = try fixture.scan("host.jsonl")
        let (status, report) = try fixture.jsonReport(baseline, host)
        #expect(status == 1)
        func rated(_ name: String) -> String {
            let item = Fixture.item(report, named: name)
            return "\(item?["severity"]?.stringValue ?? "none"): \(item?["note"]?.stringValue ?? "")"
        }
        #expect(rated("/etc/hello/hello.conf") == "high: conffile of package hello-tool edited by hand")
        #expect(
            rated("/usr/bin/hello-tool")
                == "critical: changed outside the package manager (owned by package hello-tool)")
        #expect(
            rated("/usr/share/tiny/data.txt") == "high: changed outside the package manager (owned by package tiny-lib)"
        )
        #expect(report["recommendation"]?["action"]?.stringValue == "investigate")
    }

    // MARK: managed paths

    @Test("what a managed declaration names is reported as managed, at info, and never asks for a rebuild")
    func managedChangesAreInfo() throws {
        let policy = try PolicyParser.parse(
            """
            managed:
              - {tool: salt, paths: ["/etc/nginx/**"], packages: ["nginx*"], services: ["nginx.service"]}
            """, path: "p.yaml"
        ).policy
        let config = try Self.item(Self.file("/etc/nginx/nginx.conf"), Self.file("/etc/nginx/nginx.conf", content: 2))
        let unowned = try Self.item(Self.file("/etc/ssh/sshd_config"), Self.file("/etc/ssh/sshd_config", content: 2))
        let setuid = try Self.item(nil, Self.file("/etc/nginx/helper", mode: 0o4755))
        let judged = Self.judge([config, unowned, setuid], policy: policy)
        let managed = judged.filter { $0.managedBy == "salt" }
        #expect(managed.map(\.nameText) == ["/etc/nginx/nginx.conf"])
        #expect(managed.first?.severity == .info)
        #expect(
            judged.first { $0.nameText == "/etc/nginx/helper" }?.severity == .critical, "privilege is never managed")
        var everything = RebuildRules()
        everything.severity = .info
        let onlyManaged = Recommender.recommend(managed, rules: everything, lifecycle: ImageLifecycle())
        #expect(onlyManaged.action == .none)
        #expect(PolicyRenderer.yaml(policy).contains("tool: \"salt\""))
        // A managed package with something it does not explain under it is not the tool's alone.
        let managedPackage = try PolicyParser.parse("managed:\n  - {tool: salt, packages: [foo]}\n", path: "p").policy
        let added = try Self.item(nil, Self.package("foo", "1", accounts: ["svc"]))
        let account = try Self.item(nil, Self.user("svc", uid: 120))
        let mixed = Self.judge([added, account], policy: managedPackage)
        #expect(mixed.first?.managedBy == nil)
        #expect(mixed.first?.severity == .high)
    }

    @Test("bad quiets, data, allow_privilege and managed entries are one-line errors naming the file and line")
    func badNewPolicyKeys() {
        let cases = [
            "rules:\n  - {path: /x, quiets: [colour], ignore: true}\n",
            "rules:\n  - {path: /x, allow_privilege: [root], ignore: true}\n",
            "rules:\n  - {kind: package, quiets: [content], ignore: true}\n",
            "managed:\n  - {paths: [/etc/x]}\n",
            "managed:\n  - {tool: salt}\n",
            "managed:\n  - {tool: salt, paths: [etc/x]}\n",
        ]
        for text in cases {
            do {
                _ = try PolicyParser.parse(text, path: "bad.yaml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.hasPrefix("bad.yaml: line "), "\(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
