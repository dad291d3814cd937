import Foundation
import Testing

@testable import DriftCheck

/// The login evidence readers on files real tools wrote (Fixtures/evidence/README.md says how each was made): the
/// scenario is admin's ssh session from 10.0.0.5 on 2026-11-28 10:00:05–10:31:40 with sudo vi and sudo apt-get,
/// deploy's session from 2001:db8::7 from 11:00 still open, root on tty1 the day before, and three failed logins of
/// oracle from 203.0.113.9.
@Suite("Login evidence")
struct EvidenceTests {
    static let admin: Int64 = 1_795_860_005  // 2026-11-28T10:00:05Z
    static let adminEnd: Int64 = 1_795_861_900  // 10:31:40
    static let deploy: Int64 = 1_795_863_600  // 11:00:00

    private func root(with files: [String: String]) throws -> TemporaryDirectory {
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("var/log")
        try tree.makeDirectory("etc")
        symlink("/usr/share/zoneinfo/Etc/UTC", tree.url("etc/localtime"))
        for (target, fixture) in files {
            try Data(try FixtureFiles.bytes("evidence/\(fixture)")).write(to: URL(fileURLWithPath: tree.url(target)))
        }
        return tree
    }

    @Test("wtmp written by utmpdump: sessions paired by terminal line as last pairs them, the boot, an open session")
    func wtmpSessions() throws {
        let events = UtmpLog.sessions(try FixtureFiles.bytes("evidence/wtmp"))
        #expect(events.map(\.kind) == [.boot, .session, .session, .session])
        let root = events[1]
        #expect(root.user == "root" && root.line == "tty1" && root.from == nil && root.ended == "logout")
        #expect(root.end.map { $0 - root.start } == 300)
        let admin = events[2]
        #expect(admin.user == "admin" && admin.from == "10.0.0.5" && admin.line == "pts/0")
        #expect(admin.start == Self.admin && admin.end == Self.adminEnd)
        let deploy = events[3]
        #expect(deploy.user == "deploy" && deploy.from == "2001:db8::7" && deploy.end == nil)
        #expect(deploy.ended == "still open")
    }

    @Test("btmp as sshd writes it: three failed logins with user and address; lastlog read per account of passwd")
    func btmpAndLastlog() throws {
        let failures = UtmpLog.failures(try FixtureFiles.bytes("evidence/btmp"))
        #expect(failures.count == 3)
        #expect(failures.allSatisfy { $0.user == "oracle" && $0.from == "203.0.113.9" && $0.kind == .failed })
        #expect(failures.map(\.start) == [1_795_859_881, 1_795_859_882, 1_795_859_883])
        let tree = try root(with: ["var/log/lastlog": "lastlog"])
        try tree.write(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nadmin:x:1000:1000::/home/admin:/bin/bash\n"
                + "deploy:x:1001:1001::/home/deploy:/bin/bash\nghost:x:4294967294:1::/:/bin/false\n")
        let last = Lastlog.events(in: try RootDirectory(path: tree.path))
        #expect(last.map(\.user) == ["root", "admin", "deploy"])
        #expect(last[1].start == Self.admin && last[1].from == "10.0.0.5" && last[1].line == "pts/0")
        #expect(last[2].from == "2001:db8::7")
    }

    @Test("auth.log (rsyslog's RFC 3339 lines) and secure (traditional lines): ssh sessions, sudo, failures, console")
    func syslogFiles() throws {
        let tree = try root(with: ["var/log/auth.log": "auth.log", "var/log/secure": "secure"])
        let events = AuthLog.events(in: try RootDirectory(path: tree.path), now: Self.deploy + 86_400)
        for source in ["auth.log", "secure"] {
            let mine = events.filter { $0.source == source }
            let sessions = mine.filter { $0.kind == .session }
            #expect(sessions.map(\.user) == ["root", "admin", "deploy"], "\(source)")
            let admin = try #require(sessions.first { $0.user == "admin" })
            #expect(admin.start == Self.admin && admin.end == Self.adminEnd && admin.from == "10.0.0.5", "\(source)")
            #expect(sessions.first { $0.user == "deploy" }?.end == nil)
            let sudo = mine.filter { $0.kind == .sudo }
            #expect(sudo.map(\.command) == ["/usr/bin/vi /etc/ssh/sshd_config", "/usr/bin/apt-get install tcpdump"])
            #expect(sudo.allSatisfy { $0.user == "admin" && $0.runAs == "root" && $0.line == "pts/0" })
            let failed = mine.filter { $0.kind == .failed }
            #expect(failed.count == 3 && failed.allSatisfy { $0.user == "oracle" && $0.from == "203.0.113.9" })
        }
    }

    @Test("the journal, through journalctl --directory: the same sessions, sudo commands and failures")
    func journal() throws {
        let tree = try root(with: [:])
        try tree.makeDirectory("var/log/journal/0123456789abcdef0123456789abcdef")
        let unpacked = try CommandLineTool.shell(
            "xz -dc '\(FixtureFiles.path("evidence/journal/system.journal.xz"))' > "
                + "'\(tree.url("var/log/journal/0123456789abcdef0123456789abcdef/system.journal"))'")
        #expect(unpacked.status == 0)
        let events = JournalLog.events(in: try RootDirectory(path: tree.path))
        #expect(events.allSatisfy { $0.source == "journal" })
        let admin = try #require(events.first { $0.kind == .session && $0.user == "admin" })
        #expect(admin.start == Self.admin && admin.end == Self.adminEnd && admin.from == "10.0.0.5")
        #expect(events.filter { $0.kind == .sudo }.map(\.command).first == "/usr/bin/vi /etc/ssh/sshd_config")
        #expect(events.filter { $0.kind == .failed }.count == 3)
    }

    @Test(
        "a change inside admin's session is tied to the sudo command that names it, the session, and the failures before"
    )
    func findsTheSession() throws {
        let tree = try root(with: ["var/log/wtmp": "wtmp", "var/log/btmp": "btmp", "var/log/auth.log": "auth.log"])
        var state = CollectedState()
        LoginCollector().collect(from: try RootDirectory(path: tree.path), into: &state)
        let finder = EvidenceFinder(records: state.records)
        var entry = FileEntry(
            path: Array("/etc/ssh/sshd_config".utf8), type: .file, permissions: 0o644, uid: 0, gid: 0, size: 10,
            modified: Timestamp(seconds: Self.admin + 140, nanoseconds: 0),
            changed: Timestamp(seconds: Self.admin + 140, nanoseconds: 0))
        entry.sha256 = Array(repeating: 1, count: 32)
        let item = DriftItem(
            kind: .file, name: entry.path, change: .modified, fields: [.file(.content)], severity: .high,
            baseline: .file(entry), host: .file(entry))
        let evidence = finder.evidence(for: item)
        #expect(
            evidence.summary
                == "changed 2026-11-28 10:02 UTC; sudo `/usr/bin/vi /etc/ssh/sshd_config` by admin at 10:02 (auth.log); "
                + "login session of admin from 10.0.0.5 on pts/0 10:00–10:31 (wtmp, auth.log); "
                + "3 failed logins in the hour before, most from 203.0.113.9 (auth.log, btmp) — "
                + "claims from the host's own logs")
        var later = item
        later.host = .file(
            {
                var e = entry; e.changed = Timestamp(seconds: Self.admin - 86_400 * 3, nanoseconds: 0); return e
            }())
        let none = finder.evidence(for: later)
        #expect(none.claims.isEmpty)
        #expect(none.summary.hasSuffix("the host's logs name no login, sudo command or package operation around then"))
    }

    @Test("dnf's history.sqlite (written by dnf 4): a package's last transaction, command line and login uid")
    func dnfHistory() throws {
        let tree = try root(with: [:])
        try tree.makeDirectory("var/lib/rpm")
        try tree.makeDirectory("var/lib/dnf")
        try Data(try FixtureFiles.bytes("rpm/rpmdb.sqlite")).write(
            to: URL(fileURLWithPath: tree.url("var/lib/rpm/rpmdb.sqlite")))
        try Data(try FixtureFiles.bytes("evidence/dnf-history.sqlite"))
            .write(to: URL(fileURLWithPath: tree.url("var/lib/dnf/history.sqlite")))
        try tree.write("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nops:x:1000:1000::/home/ops:/bin/bash\n")
        let history = DnfHistory.entries(from: try RootDirectory(path: tree.path))
        let upgrade = try #require(history["hello-tool"])
        #expect(upgrade.time == 1_795_860_724, "the upgrade, dnf's last transaction for it")
        #expect(upgrade.command?.hasPrefix("dnf --installroot=/tmp/dnfroot") == true)
        #expect(upgrade.command?.hasSuffix("-y upgrade ./hello-tool-1.1-1.noarch.rpm") == true)
        #expect(upgrade.requestedBy == "ops (1000)")
        #expect(history["hello-tool.noarch"] == upgrade)
        let records = Collectors.run([RpmCollector()], root: try RootDirectory(path: tree.path)).records
        let hello = try #require(records.first { $0.name == "hello-tool" })
        #expect(hello.number("dnf_time") == 1_795_860_724)
        #expect(hello.text("dnf_requested_by") == "ops (1000)")
        let damaged = try tree.write("var/lib/dnf/history.sqlite", "not a database")
        #expect(DnfHistory.entries(from: try RootDirectory(path: tree.path)).isEmpty, "\(damaged): no claims")
    }

    @Test("passwords on a logged command line are cut; a journal directory holding a link is not read")
    func hostileLogs() throws {
        let command = RedactedCommand.text(
            "mysql --password=hunter2 -h db PGPASSWORD=s3cret http://u:pw@proxy:3128/x -pHunter1 --password Hunter3 "
                + "-o Acquire::http::Proxy=http://me:pw2@proxy")
        for secret in ["hunter2", "s3cret", "pw@", "Hunter1", "Hunter3", "pw2"] {
            #expect(!command.contains(secret), "\(secret) in \(command)")
        }
        #expect(command.contains("--password=… -h db PGPASSWORD=…"))
        let curl = RedactedCommand.text("/usr/bin/curl -u admin:Hunter4 -H Authorization: Bearer tok5 https://x")
        #expect(!curl.contains("Hunter4") && !curl.contains("tok5") && curl.contains("-u admin:…"), "\(curl)")
        let tree = try root(with: [:])
        try tree.makeDirectory("var/log/journal/0123456789abcdef0123456789abcdef")
        let journal = tree.url("var/log/journal/0123456789abcdef0123456789abcdef/system.journal")
        #expect(
            try CommandLineTool.shell(
                "xz -dc '\(FixtureFiles.path("evidence/journal/system.journal.xz"))' > '\(journal)'"
            ).status == 0)
        #expect(!JournalLog.events(in: try RootDirectory(path: tree.path)).isEmpty)
        symlink("/var/log/journal", tree.url("var/log/journal/0123456789abcdef0123456789abcdef/elsewhere"))
        #expect(JournalLog.events(in: try RootDirectory(path: tree.path)).isEmpty, "a link could lead journalctl out")
    }

    @Test(
        "a root that names no time zone still gives the RFC 3339 lines, which carry theirs, and not the traditional ones"
    )
    func noZone() throws {
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("var/log")
        for (target, fixture) in ["var/log/auth.log": "auth.log", "var/log/secure": "secure"] {
            try Data(try FixtureFiles.bytes("evidence/\(fixture)")).write(to: URL(fileURLWithPath: tree.url(target)))
        }
        let events = AuthLog.events(in: try RootDirectory(path: tree.path), now: Self.deploy + 86_400)
        #expect(events.contains { $0.source == "auth.log" && $0.user == "admin" && $0.start == Self.admin })
        #expect(!events.contains { $0.source == "secure" }, "a local time in an unknown zone is not guessed")
    }
}
