import Foundation
import Testing

@testable import DriftCheck

/// A real Debian 12 server image (debootstrap with systemd, openssh-server, cron), first-booted by its own tools in
/// a chroot, then drifted by real tools (Fixtures/tools/real-host.sh): apt-get install tcpdump (a system user, an
/// apparmor override its postinst writes), `systemctl --root disable cron` (SysV links rewritten), a hand edit of
/// the login.defs conffile, a chown of /etc/hosts. Slow and privileged: with DRIFTCHECK_SLOW_TESTS=1 as root.
@Suite("A real host: quiet first boot, drift grouped and rated", .enabled(if: ScanRaceTests.slow && getuid() == 0))
struct RealHostTests {
    private static func report(_ directory: String) throws -> JSONValue {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        let name = try #require(names.first { $0.hasSuffix(".report.json") })
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)")))
        return try JSONParser.parse(bytes.last == 0x0A ? Array(bytes.dropLast()) : bytes)
    }

    private static func line(_ item: JSONValue) -> String {
        "\(item["kind"]?.stringValue ?? "") \(item["name"]?.stringValue ?? "") \(item["change"]?.stringValue ?? "") "
            + "\(item["severity"]?.stringValue ?? "")"
    }

    @Test(
        """
        a booted host reports nothing; the drifted one exactly: two packages with tcpdump's user, group and apparmor \
        override under tcpdump, cron disabled with its rc links, /etc/hosts chowned high, login.defs a high conffile edit
        """
    )
    func firstBootThenDrift() throws {
        let fixture = try Fixture()
        let out = fixture.directory.url("host")
        try FixtureFiles.runTool("real-host.sh", out: out)

        let booted = try Self.report("\(out)/reports/firstboot")
        #expect(Fixture.items(booted).map(Self.line) == [], "first boot is not drift")
        #expect(booted["recommendation"]?["action"]?.stringValue == "none")
        #expect((booted["summary"]?["ignored_by_policy"]?.integerValue ?? 0) > 0, "first boot did change files")

        let drifted = try Self.report("\(out)/reports/drifted")
        let items = Fixture.items(drifted)
        #expect(
            items.map(Self.line) == [
                "package libpcap0.8:amd64 added high", "package tcpdump added high",
                "service cron.service modified high", "file /etc/hosts modified high",
                "file /etc/login.defs modified high",
            ])
        func related(_ name: String) -> [String] {
            guard case .array(let list)? = Fixture.item(drifted, named: name)?["related"] else { return [] }
            return list.map(Self.line)
        }
        let tcpdump = related("tcpdump")
        #expect(tcpdump.contains("user tcpdump added high"), "its system user, made by its postinst")
        #expect(tcpdump.contains("group tcpdump added medium"))
        #expect(tcpdump.contains("file /etc/apparmor.d/local/usr.bin.tcpdump added high"), "its postinst's file")
        #expect(tcpdump.contains("file /etc/passwd modified high"))
        #expect(!related("libpcap0.8:amd64").contains { $0.contains("/etc/") }, "nothing of tcpdump's under libpcap")
        let cron = related("cron.service")
        #expect(cron.filter { $0.hasPrefix("file /etc/rc") }.count == 8, "\(cron)")
        #expect(Fixture.fields(Fixture.item(drifted, named: "/etc/hosts")).contains("owner"))
        #expect(
            Fixture.item(drifted, named: "/etc/login.defs")?["note"]?.stringValue
                == "conffile of package login edited by hand")
        #expect(!items.contains { $0["tampering"] == .bool(true) })
        let tcpdumpHost = Fixture.item(drifted, named: "tcpdump")?["host"]
        #expect(
            tcpdumpHost?["apt_command"]?.stringValue?.hasSuffix(
                "install -y --no-download --no-install-recommends tcpdump") == true, "apt's history says what did it")
        #expect(drifted["recommendation"]?["action"]?.stringValue == "rebuild")
    }
}
