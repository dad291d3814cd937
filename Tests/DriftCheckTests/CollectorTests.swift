import Foundation
import Testing

@testable import DriftCheck

@Suite("Collectors")
struct CollectorTests {
    private func records(_ collector: any Collector, root: String) throws -> [RecordEntry] {
        Collectors.run([collector], root: try RootDirectory(path: root)).records
    }

    private func record(_ records: [RecordEntry], _ name: String) -> RecordEntry? {
        records.first { $0.name == name }
    }

    @Test("systemd units: content digest, enablement links, masks, drop-ins and template instances, read offline")
    func systemdTree() throws {
        let tree = try TemporaryDirectory()
        let unit = "[Unit]\nDescription=x\n[Install]\nWantedBy=multi-user.target\n"
        try tree.write("usr/lib/systemd/system/web.service", unit)
        try tree.write("usr/lib/systemd/system/cache.service", unit)
        try tree.write("usr/lib/systemd/system/getty@.service", unit)
        try tree.write("etc/systemd/system/web.service.d/override.conf", "[Service]\nNice=5\n")
        try tree.makeDirectory("etc/systemd/system/multi-user.target.wants")
        try tree.makeDirectory("etc/systemd/system/getty.target.wants")
        symlink(
            "/usr/lib/systemd/system/web.service", tree.url("etc/systemd/system/multi-user.target.wants/web.service"))
        symlink(
            "/usr/lib/systemd/system/getty@.service",
            tree.url("etc/systemd/system/getty.target.wants/getty@tty1.service"))
        symlink("/dev/null", tree.url("etc/systemd/system/cache.service"))
        symlink("web.service", tree.url("etc/systemd/system/www.service"))
        let found = try records(SystemdCollector(), root: tree.path)
        #expect(
            found.map(\.name) == [
                "cache.service", "getty@.service", "getty@tty1.service", "web.service", "www.service",
            ])
        let web = try #require(record(found, "web.service"))
        #expect(web.text("enabled") == "enabled")
        #expect(web["wanted_by"] == .list(["multi-user.target"]))
        #expect(web.flag("masked") == false)
        #expect(
            web.text("unit")
                == Hex.encode(SHA256Hasher.digest(UnsafeRawBufferPointer(start: unit, count: unit.utf8.count))))
        guard case .list(let dropins)? = web["dropins"] else { Issue.record("no dropins"); return }
        #expect(dropins.count == 1)
        #expect(dropins.first?.hasPrefix("etc/systemd/system/web.service.d/override.conf=") == true)
        let cache = try #require(record(found, "cache.service"))
        #expect(cache.flag("masked") == true)
        #expect(cache.text("unit") == web.text("unit"), "a mask still records the unit it hides")
        #expect(record(found, "getty@tty1.service")?.text("enabled") == "enabled")
        #expect(record(found, "getty@tty1.service")?.text("unit") == web.text("unit"))
        #expect(record(found, "www.service")?.text("unit") == "link:web.service")
    }

    @Test("systemctl list-units output gives each unit's ACTIVE/SUB state; only a live scan asks systemctl")
    func systemctlActiveStates() {
        let output = """
            ssh.service                 loaded    active   running OpenBSD Secure Shell server
            apt-daily.timer             loaded    active   waiting Daily apt download activities
            cron.service                loaded    inactive dead    Regular background program processing daemon
            -.mount                     loaded    active   mounted Root Mount
            sys-devices-x.device        loaded    active   plugged /sys/devices/x
            """
        let states = SystemdCollector.parseListUnits(Array(output.utf8))
        #expect(states["ssh.service"] == "active/running")
        #expect(states["apt-daily.timer"] == "active/waiting")
        #expect(states["cron.service"] == "inactive/dead")
        #expect(states["-.mount"] == "active/mounted")
        #expect(states["sys-devices-x.device"] == nil, "devices are not units driftcheck records")
        #expect(Subprocess.output("/bin/echo", ["hello"]) == Array("hello\n".utf8))
        #expect(Subprocess.output("/bin/false", []) == nil)
        #expect(Subprocess.output("/nonexistent/tool", []) == nil)
    }

    @Test("SysV init scripts and rc links are services on an image without systemd, and ignored with systemd")
    func sysvInit() throws {
        let tree = try TemporaryDirectory()
        try tree.write("etc/init.d/ssh", "#!/bin/sh\n", mode: 0o755)
        try tree.write("etc/init.d/rsync", "#!/bin/sh\n", mode: 0o755)
        for (level, link) in [("2", "S01ssh"), ("3", "S01ssh"), ("0", "K01ssh"), ("0", "K01rsync")] {
            try tree.makeDirectory("etc/rc\(level).d")
            symlink("../init.d/\(link.dropFirst(3))", tree.url("etc/rc\(level).d/\(link)"))
        }
        let found = try records(SysVInitCollector(), root: tree.path)
        #expect(found.map(\.name) == ["rsync", "ssh"])
        #expect(record(found, "ssh")?.text("enabled") == "enabled")
        #expect(record(found, "ssh")?["links"] == .list(["rc0.d/K01ssh", "rc2.d/S01ssh", "rc3.d/S01ssh"]))
        #expect(record(found, "rsync")?.text("enabled") == "disabled")
        try tree.write("usr/lib/systemd/systemd", "", mode: 0o755)
        #expect(try records(SysVInitCollector(), root: tree.path).isEmpty)
    }

    @Test("a link pointing outside the root is never followed by a collector")
    func collectorsDoNotFollowLinks() throws {
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("etc")
        symlink("/etc/passwd", tree.url("etc/passwd"))
        try tree.makeDirectory("var/lib")
        symlink("/var/lib/dpkg", tree.url("var/lib/dpkg"))
        #expect(try records(AccountCollector(), root: tree.path).isEmpty)
        #expect(try records(DpkgCollector(), root: tree.path).isEmpty)
    }

    @Test("accounts record password state, never the hash; shadow's last change day tracks password changes")
    func accountsWithoutHashes() throws {
        let tree = try TemporaryDirectory()
        let hash = "$6$saltsalt$0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijkl"
        try tree.write(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
                + "svc:x:999:999::/nonexistent:/usr/sbin/nologin\nopen:x:1001:1001::/home/open:/bin/sh\n"
        )
        try tree.write(
            "etc/shadow",
            "root:*:19000:0:99999:7:::\nalice:\(hash):19500:0:99999:7:::\n"
                + "svc:!:19000::::::\nopen::19600:0:99999:7:::\n",
            mode: 0o640)
        try tree.write("etc/group", "root:x:0:\nsudo:x:27:alice,bob\nalice:x:1000:\n")
        let found = try records(AccountCollector(), root: tree.path)
        let alice = try #require(found.first { $0.kind == "user" && $0.name == "alice" })
        #expect(alice.number("uid") == 1000)
        #expect(alice.text("password") == "set")
        #expect(alice.number("password_changed") == 19500)
        #expect(found.first { $0.name == "root" && $0.kind == "user" }?.text("password") == "locked")
        #expect(found.first { $0.name == "svc" }?.text("password") == "locked")
        #expect(found.first { $0.name == "open" }?.text("password") == "empty")
        #expect(found.first { $0.kind == "group" && $0.name == "sudo" }?["members"] == .list(["alice", "bob"]))
        var json = JSONBuilder()
        for record in found {
            ManifestEncoding.encode(record, into: &json);
            #expect(!String(decoding: json.bytes, as: UTF8.self).contains("saltsalt"))
        }
    }

    @Test("cron: each crontab and cron script is a record; comments do not count as drift")
    func cronJobs() throws {
        let tree = try TemporaryDirectory()
        try tree.write(
            "etc/crontab", "SHELL=/bin/sh\n# comment\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n")
        try tree.write(
            "etc/cron.d/backup", "0 3 * * * root /usr/local/bin/backup --password=hunter2\n@reboot root /bin/true\n")
        try tree.write("etc/cron.daily/logrotate", "#!/bin/sh\nlogrotate\n", mode: 0o755)
        let first = try records(CronCollector(), root: tree.path)
        #expect(first.map(\.name) == ["/etc/cron.d/backup", "/etc/cron.daily/logrotate", "/etc/crontab"])
        #expect(first.first?.number("jobs") == 2)
        #expect(first.last?.number("jobs") == 1)
        var json = JSONBuilder()
        for record in first {
            ManifestEncoding.encode(record, into: &json);
            #expect(!String(decoding: json.bytes, as: UTF8.self).contains("hunter2"))
        }
        try tree.write(
            "etc/crontab",
            "SHELL=/bin/sh\n# another comment\n\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n")
        #expect(try records(CronCollector(), root: tree.path) == first)
    }

    @Test("listening sockets decode from /proc/net lines, IPv4 and IPv6")
    func procNetLines() {
        let tcp =
            "   0: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
            + "1179 1 0 100 0 0 10 0"
        #expect(ListeningPortCollector.parse(Substring(tcp), protocol: "tcp")?.name == "tcp/127.0.0.1:22")
        let established = tcp.replacingOccurrences(of: " 0A ", with: " 01 ")
        #expect(ListeningPortCollector.parse(Substring(established), protocol: "tcp") == nil)
        let tcp6 =
            "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A "
            + "00000000:00000000 00:00000000 00000000  0 0 2222 1"
        #expect(ListeningPortCollector.parse(Substring(tcp6), protocol: "tcp6")?.name == "tcp/[0:0:0:0:0:0:0:1]:8080")
        let udp = "  5: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3333 2"
        #expect(ListeningPortCollector.parse(Substring(udp), protocol: "udp")?.name == "udp/0.0.0.0:68")
    }

    @Test("an image root without package databases, systemd or accounts collects nothing and is not an error")
    func absentSourcesAreNotErrors() throws {
        let tree = try TemporaryDirectory()
        let state = Collectors.run(Collectors.all, root: try RootDirectory(path: tree.path))
        #expect(state.records.isEmpty)
        #expect(state.found.map(\.collector) == Collectors.all.map(\.name))
        #expect(state.found.allSatisfy { $0.count == 0 })
    }

    @Test("tcpdump's real postinst names the tcpdump account and its apparmor override, and nothing of the base")
    func maintainerScriptEvidence() throws {
        let script = try FixtureFiles.bytes("dpkg/tcpdump.postinst")
        let accounts: Set<String> = ["root", "daemon", "tcpdump", "systemd-network", "messagebus", "nogroup"]
        #expect(MaintainerScripts.accounts(namedIn: script, among: accounts) == ["tcpdump"])
        let paths = MaintainerScripts.paths(namedIn: script)
        #expect(paths.contains("/etc/apparmor.d/local/usr.bin.tcpdump"))
        #expect(paths.contains("/etc/apparmor.d/usr.bin.tcpdump"))
        #expect(paths.allSatisfy { !$0.contains("$") && !$0.hasSuffix("/") })
        #expect(MaintainerScripts.accounts(namedIn: Array("chown tcpdump /x\n".utf8), among: accounts).isEmpty)
        #expect(
            MaintainerScripts.accounts(declaredIn: Array("u _chrony - \"Chrony\" /var/lib/chrony\nm a b\n".utf8)) == [
                "_chrony", "a", "b",
            ])
    }

    @Test("dpkg.log gives each package the window from its last install to its last line, by name and name:arch")
    func dpkgLogWindows() throws {
        var windows: [String: DpkgLog.Window] = [:]
        DpkgLog.parse(try FixtureFiles.bytes("dpkg/dpkg.log"), into: &windows)
        let start = try #require(DpkgLog.seconds(date: "2026-11-29", time: "18:53:44"))
        #expect(windows["tcpdump"] == DpkgLog.Window(start: start, end: start, finished: true))
        #expect(windows["tcpdump:amd64"] == windows["tcpdump"])
        #expect(windows["libpcap0.8"] == DpkgLog.Window(start: start, end: start, finished: true))
        // libc-bin was only triggered: its window is the trigger run that finished at 18:47:30; the later trigger
        // run does not stretch it.
        let earlier = try #require(DpkgLog.seconds(date: "2026-11-29", time: "18:47:29"))
        #expect(windows["libc-bin"] == DpkgLog.Window(start: earlier, end: earlier, finished: true))
        #expect(windows["tcpdump"]?.finished == true)
        var hostile: [String: DpkgLog.Window] = [:]
        DpkgLog.parse(Array("2026-13-99 99:99:99 install x:amd64\n\u{FF}\u{00} status\n\n".utf8), into: &hostile)
        #expect(hostile.isEmpty)
    }

    @Test(
        "logrotate's dpkg.log.N.gz are read oldest first, a damaged one is skipped, and a root without a zone has none"
    )
    func rotatedDpkgLogs() throws {
        let directory = try TemporaryDirectory()
        let root = directory.url("root")
        let log = String(decoding: try FixtureFiles.bytes("dpkg/dpkg.log"), as: UTF8.self)
        _ = try directory.write("root/var/log/old.log", log)
        let made = try CommandLineTool.shell(
            """
            cd '\(root)/var/log' && gzip -c old.log > dpkg.log.3.gz && rm old.log
            printf 'not gzip' > dpkg.log.2.gz
            mkdir -p '\(root)/etc' && ln -s /usr/share/zoneinfo/Etc/UTC '\(root)/etc/localtime'
            """)
        #expect(made.status == 0, "\(made.stderr)")
        let windows = DpkgLog.windows(from: try RootDirectory(path: root))
        let start = try #require(UTCTime.seconds("2026-11-29T18:53:44Z"))
        #expect(windows["tcpdump"] == DpkgLog.Window(start: Int64(start), end: Int64(start), finished: true))
        #expect(try CommandLineTool.shell("rm '\(root)/etc/localtime'").status == 0)
        #expect(DpkgLog.windows(from: try RootDirectory(path: root)).isEmpty, "no zone, no window")
        _ = try directory.write("root/etc/timezone", "Mars/Olympus_Mons\n")
        #expect(DpkgLog.windows(from: try RootDirectory(path: root)).isEmpty, "a zone this machine lacks, no window")
    }

    @Test("apt's real history.log gives each installed package its command line and who asked; a URL's secret is cut")
    func aptHistoryEvidence() throws {
        var entries: [String: AptHistory.Entry] = [:]
        AptHistory.parse(try FixtureFiles.bytes("dpkg/apt-history.log"), into: &entries, utc: true)
        let start = try #require(UTCTime.seconds("2026-11-29T20:20:31Z"))
        let install = AptHistory.Entry(
            time: Int64(start), command: "apt-get -q install -y --no-download --no-install-recommends tcpdump")
        #expect(entries["tcpdump"] == install, "the later Remove is not an install")
        #expect(entries["tcpdump:amd64"] == install)
        #expect(entries["libpcap0.8"] == install, "pulled in automatically by the same transaction")
        var asked: [String: AptHistory.Entry] = [:]
        let log = """
            Start-Date: 2026-11-29  20:20:42
            Commandline: apt-get -o Acquire::http::Proxy=http://user:hunter2@proxy:3128 install nginx
            Requested-By: admin (1000)
            Install: nginx:amd64 (1.22.1-9)
            End-Date: 2026-11-29  20:20:50
            """
        AptHistory.parse(Array(log.utf8), into: &asked, utc: true)
        #expect(asked["nginx"]?.requestedBy == "admin (1000)")
        #expect(asked["nginx"]?.command == "apt-get -o Acquire::http::Proxy=http://…@proxy:3128 install nginx")
        #expect(asked["nginx"]?.command?.contains("hunter2") == false)
        var hostile: [String: AptHistory.Entry] = [:]
        AptHistory.parse(Array("Install: x (1\nStart-Date: nope\n\u{1B}[2J:\n".utf8), into: &hostile)
        #expect(hostile.isEmpty)
    }
}
