import Foundation
import Testing

@testable import DriftCheck

/// A hostile tree made by a generator: every byte in a name, escape sequences, a path deeper than PATH_MAX, a very
/// large directory, special files, link loops and links out of the root. The scan must finish, record everything,
/// follow nothing, and print nothing raw.
@Suite("Adversarial tree")
struct AdversarialTreeTests {
    private static let generator = #"""
        import os, socket, stat, sys
        root = sys.argv[1].encode()
        def p(*parts): return os.path.join(root, *parts)
        os.makedirs(p(b"bytes"))
        for b in range(1, 256):
            if b == 0x2F: continue
            name = bytes([b]) + b"-name"
            open(p(b"bytes", name), "wb").write(bytes([b]))
        for name in [b"new\nline", b"tab\there", b"\x1b]0;owned\x07", b"\x1b[2J", b"bad\xff\xfe", b"\xc0\xaf"]:
            open(p(name), "wb").write(b"x")
        # a path deeper than PATH_MAX (4096 bytes)
        os.makedirs(p(b"deep"))
        fd = os.open(p(b"deep"), os.O_RDONLY)
        for _ in range(45):
            os.mkdir(b"d" * 100, dir_fd=fd)
            nfd = os.open(b"d" * 100, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        os.close(os.open(b"bottom", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=fd))
        os.close(fd)
        # a large directory
        os.makedirs(p(b"large"))
        for i in range(100000):
            os.close(os.open(p(b"large", b"f%05d" % i), os.O_CREAT | os.O_WRONLY, 0o644))
        os.mkfifo(p(b"fifo"))
        s = socket.socket(socket.AF_UNIX); s.bind(p(b"socket"))
        os.symlink(b"loop-b", p(b"loop-a")); os.symlink(b"loop-a", p(b"loop-b"))
        os.symlink(b"/etc/shadow", p(b"out-of-root")); os.symlink(b"/proc/self/root", p(b"to-proc"))
        os.symlink(b"../../../../../../../../etc", p(b"dotdot"))
        open(p(b"empty"), "wb").close()
        open(p(b"hard-a"), "wb").write(b"h")
        for i in range(10): os.link(p(b"hard-a"), p(b"hard-%d" % i))
        f = open(p(b"sparse"), "wb"); f.truncate(64 << 30); f.close()
        if os.geteuid() == 0:
            os.mknod(p(b"null-device"), 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        """#

    @Test("the scan finishes, records every object, follows nothing and escapes every name in the text report")
    func hostileTree() throws {
        let fixture = try Fixture()
        let tree = fixture.root
        let made = try CommandLineTool.run("/usr/bin/env", ["python3", "-c", Self.generator, tree])
        #expect(made.status == 0, "\(made.stderr)")
        let empty = fixture.directory.url("empty-root")
        try fixture.directory.makeDirectory("empty-root")
        let baseline = try fixture.scan("baseline.jsonl", root: empty)
        let manifest = fixture.directory.url("hostile.jsonl")
        let scanned = try CommandLineTool.driftcheck(
            "scan", "--root", tree, "--image", "test-image", "--key", fixture.key, "--out", manifest, timeout: 120)
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let entries = try fixture.entries(manifest)
        // One character per object from find, so names with newlines do not skew the count.
        let counted = try CommandLineTool.run("/usr/bin/find", [tree, "-printf", "x"])
        #expect(entries.count == counted.stdout.count, "every object is recorded")
        #expect(entries.allSatisfy { $0.error == nil }, "as root everything here is readable")
        for byte in UInt8(1)...UInt8(255) where byte != 0x2F {
            let path = Array("/bytes/".utf8) + [byte] + Array("-name".utf8)
            #expect(entries.contains { $0.path == path && $0.sha256 != nil }, "name with byte \(byte)")
        }
        let deepest = entries.max { $0.path.count < $1.path.count }
        #expect((deepest?.path.count ?? 0) > 4096)
        #expect(deepest?.sha256 != nil)
        #expect(entries.first { $0.path == Array("/out-of-root".utf8) }?.target == Array("/etc/shadow".utf8))
        #expect(entries.first { $0.path == Array("/fifo".utf8) }?.type == .fifo)
        let sparse = entries.first { $0.path == Array("/sparse".utf8) }
        #expect(sparse?.size == 64 << 30)
        #expect(sparse?.sha256 != nil && sparse?.blockDigest == true, "64 GiB of holes hashed without reading them")
        if geteuid() == 0 {
            let device = entries.first { $0.path == Array("/null-device".utf8) }
            #expect(device?.type == .char)
            #expect(device?.deviceNumberText == "1:3")
            #expect(device?.sha256 == nil, "a device is recorded, never opened")
        }
        #expect(entries.filter { String(decoding: $0.path, as: UTF8.self).hasPrefix("/large/") }.count == 100_000)
        #expect(!entries.contains { String(decoding: $0.path, as: UTF8.self).contains("shadow") && $0.type == .file })
        let report = try fixture.compare(baseline, manifest, ["--fail-on", "critical"])
        #expect(report.status == 0 || report.status == 1)
        let raw = Array(report.stdout.utf8)
        #expect(!raw.contains { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }, "no control byte reaches the terminal")
        #expect(report.stdout.contains("\\x1B]0;owned\\x07"))
    }
}
