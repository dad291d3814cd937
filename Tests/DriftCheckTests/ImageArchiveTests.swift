import Foundation
import Testing

@testable import DriftCheck

/// `baseline --image-tar`: container images read straight from files (docker export tars, OCI layouts built with
/// umoci and skopeo, see Fixtures/oci/README.md) give the baseline a scan of the unpacked tree gives.
@Suite("Container image archives")
struct ImageArchiveTests {
    static let directory = FixtureFiles.path("oci")

    /// One line per entry in the fixtures' `expected` format: path, type, mode, uid, gid, size, nlink, mtime, rdev,
    /// sha256, target, caps.
    static func describe(_ entries: [FileEntry]) -> [String] {
        entries.map { entry in
            let type: String =
                switch entry.type {
                case .dir: "d"
                case .file: "f"
                case .symlink: "l"
                case .char: "c"
                case .block: "b"
                case .fifo: "p"
                default: "?"
                }
            return [
                String(decoding: entry.path, as: UTF8.self), type, entry.modeText, "\(entry.uid)", "\(entry.gid)",
                entry.type == .file ? "\(entry.size)" : "0", entry.type == .dir ? "-" : "\(entry.linkCount)",
                entry.modified.description, entry.deviceNumberText ?? "-", entry.sha256.map(Hex.encode) ?? "-",
                entry.target.map { String(decoding: $0, as: UTF8.self) } ?? "-",
                entry.capabilities.map(Hex.encode) ?? "-",
            ].joined(separator: "\t")
        }
    }

    static func expected(_ file: String) throws -> [String] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("#") }
    }

    private func baseline(_ fixture: Fixture, _ archive: String, name: String) throws -> (RunResult, String) {
        let out = fixture.directory.url(name)
        let result = try CommandLineTool.driftcheck(
            "baseline", "--image-tar", archive, "--image", "fixture-1", "--key", fixture.key, "--out", out, "--quiet")
        return (result, out)
    }

    @Test("a container image's baseline keeps /etc's world-readable text, never a file below a closed directory")
    func imageBaselineKeepsContent() throws {
        let fixture = try Fixture()
        let (result, manifest) = try baseline(fixture, Self.directory + "/image-oci.tar", name: "image.jsonl")
        #expect(result.status == 0, "\(result.stderr)")
        let kept = try fixture.entries(manifest).filter { $0.content != nil }
        // /etc/app.d is 0750: its 0644 file is as private as the directory; passwd is 0600, shadow 0640.
        #expect(
            kept.map { String(decoding: $0.path, as: UTF8.self) } == [
                "/etc/café-ünïcödé-文字.conf", "/etc/driftcheck/image-id", "/etc/empty.conf", "/etc/new.conf",
            ])
        for entry in kept {
            #expect(ContentCapture.text(of: entry)?.count == Int(entry.size), "the content hashes to the digest")
        }
    }

    @Test(
        "every form of the fixture image gives the tree its tools unpacked, entry for entry",
        arguments: ["flat.tar", "flat-pax.tar.gz", "flat-bsdtar.tar.gz", "oci-layout", "image-oci.tar"])
    func formsGiveTheUnpackedTree(form: String) throws {
        let fixture = try Fixture()
        let (result, manifest) = try baseline(fixture, Self.directory + "/" + form, name: "image.jsonl")
        #expect(result.status == 0, "\(result.stderr)")
        var described = Self.describe(try fixture.entries(manifest))
        var expected = try Self.expected(Self.directory + "/expected-details.txt")
        if form == "flat.tar" {
            // docker export writes no entry for the root itself, so its time is unknown (0) in the baseline.
            #expect(described.first == "/\td\t0755\t0\t0\t0\t-\t0.000000000\t-\t-\t-\t-")
            described.removeFirst()
            expected.removeFirst()
        }
        #expect(described == expected)
        // The collectors read the image's own files: its users and groups are records of the baseline.
        let records = try fixture.allEntries(manifest).compactMap { entry -> String? in
            if case .record(let record) = entry { return "\(record.kind) \(record.name)" }
            return nil
        }
        #expect(records.contains("user root") && records.contains("user alice"), "\(records)")
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        #expect(text.contains(#""role":"baseline""#))
    }

    @Test(
        "the baseline read from the OCI layout and the flat tar equals the baseline of the same tree on disk",
        .enabled(if: geteuid() == 0))
    func equalsTheScanFromDisk() throws {
        let fixture = try Fixture()
        let unpacked = fixture.directory.url("unpacked")
        try fixture.directory.makeDirectory("unpacked")
        chmod(unpacked, 0o755)
        let extracted = try CommandLineTool.shell(
            "tar --numeric-owner --xattrs --xattrs-include='*' -xpf '\(Self.directory)/flat.tar' -C '\(unpacked)'")
        #expect(extracted.status == 0, "\(extracted.stderr)")
        let disk = fixture.directory.url("disk.jsonl")
        let scanned = try CommandLineTool.driftcheck(
            "baseline", "--root", unpacked, "--no-stamp", "--image", "fixture-1", "--key", fixture.key, "--out", disk,
            "--quiet")
        #expect(scanned.status == 0, "\(scanned.stderr)")
        let fromDisk = try fixture.entries(disk)
        for form in ["oci-layout", "flat.tar"] {
            let (result, manifest) = try baseline(fixture, Self.directory + "/" + form, name: form + ".jsonl")
            #expect(result.status == 0, "\(result.stderr)")
            let fromImage = try fixture.entries(manifest)
            #expect(fromImage.map(\.path) == fromDisk.map(\.path), "\(form): the same paths in the same order")
            for (image, disk) in zip(fromImage, fromDisk) where image.path != [UInt8(ascii: "/")] {
                let path = String(decoding: image.path, as: UTF8.self)
                #expect(Comparer.differingFields(disk, image).isEmpty, "\(form) \(path)")
                #expect(image.sha256 == disk.sha256 && image.target == disk.target, "\(form) \(path)")
                #expect(image.modified == disk.modified || image.type == .symlink, "\(form) \(path) mtime")
                if image.type != .dir { #expect(image.linkCount == disk.linkCount, "\(form) \(path) nlink") }
            }
            let compared = try CommandLineTool.driftcheck(
                "compare", "--baseline", disk, "--host", manifest, "--pubkey", fixture.pub, "--compare-baselines")
            #expect(compared.status == 0, "\(form): \(compared.stdout)")
        }
    }

    @Test("hostile and broken archives are refused with a message naming the member; odd but valid ones are read")
    func adversarialArchives() throws {
        let fixture = try Fixture()
        let cases = try Self.expected(Self.directory + "/adversarial/expected.txt").map { $0.split(separator: "\t") }
        #expect(cases.count == 25)
        for line in cases {
            let name = String(line[0])
            let (result, manifest) = try baseline(fixture, Self.directory + "/adversarial/" + name, name: "a.jsonl")
            if line[1] == "refuse" {
                #expect(result.status == 2, "\(name) must be refused")
                #expect(
                    result.stderr.hasPrefix("driftcheck: \(Self.directory)/adversarial/\(name): "), "\(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1)
            } else {
                #expect(result.status == 0, "\(name): \(result.stderr)")
                let stem = name.split(separator: ".").first.map(String.init) ?? name
                let expectedFile = Self.directory + "/adversarial/" + stem + ".expected"
                if FileManager.default.fileExists(atPath: expectedFile) {
                    #expect(
                        Self.describe(try fixture.entries(manifest)) == (try Self.expected(expectedFile)), "\(name)")
                }
            }
        }
    }

    @Test("tar numbers: octal with any terminator, base-256 both signs, PAX times before the epoch")
    func numbers() throws {
        let fail = { (message: String) in DriftCheckError(.malformed, message) }
        #expect(try TarReader.parseNumber(Array("0000755\0".utf8)[...], "mode", fail) == 0o755)
        #expect(try TarReader.parseNumber(Array("000755 \0".utf8)[...], "mode", fail) == 0o755)
        #expect(try TarReader.parseNumber([0, 0, 0, 0][...], "uid", fail) == 0)
        #expect(
            try TarReader.parseNumber([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0x3D, 0x09, 0x00][...], "uid", fail) == 4_000_000)
        #expect(try TarReader.parseNumber([UInt8](repeating: 0xFF, count: 12)[...], "mtime", fail) == -1)
        #expect(throws: DriftCheckError.self) { try TarReader.parseNumber(Array("12x4".utf8)[...], "size", fail) }
        #expect(TarReader.paxTime("-1.25") == Timestamp(seconds: -2, nanoseconds: 750_000_000))
        #expect(TarReader.paxTime("1700000000.5") == Timestamp(seconds: 1_700_000_000, nanoseconds: 500_000_000))
        #expect(TarReader.paxTime("1.x") == nil)
    }
}

/// Inputs found in review that once crashed the tar reader or escaped the collectors' private copy.
@Suite("Container image archive regressions")
struct ImageArchiveRegressionTests {
    static let writer = #"""
        import io, sys, tarfile
        def add(tar, name, kind, data=b"", target=""):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            info.size = len(data)
            info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
            tar.addfile(info, io.BytesIO(data) if data else None)
        case, out = sys.argv[1], sys.argv[2]
        with tarfile.open(out, "w", format=tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape") as tar:
            if case == "collide":
                # U+FFFD as a symlink out of the image, then the invalid byte 0xFF as a directory below which a file
                # is written: decoded as text the two names are the same.
                for d in ["etc", "etc/systemd"]:
                    add(tar, d, tarfile.DIRTYPE)
                add(tar, "etc/systemd/\ufffd", tarfile.SYMTYPE, target=sys.argv[3])
                add(tar, "etc/systemd/" + b"\xff".decode("utf-8", "surrogateescape"), tarfile.DIRTYPE)
                add(tar, "etc/systemd/" + b"\xff".decode("utf-8", "surrogateescape") + "/evil", tarfile.REGTYPE, b"x")
            elif case == "lower":
                for d in ["a", "a/b"]:
                    add(tar, d, tarfile.DIRTYPE)
                add(tar, "a/b/old", tarfile.REGTYPE, b"old")
            elif case == "upper":
                for d in ["a", "a/b"]:
                    add(tar, d, tarfile.DIRTYPE)
                add(tar, "a/b/new", tarfile.REGTYPE, b"new")
                add(tar, "a/.wh..wh..opq", tarfile.REGTYPE)
        """#

    private func make(_ directory: TemporaryDirectory, _ name: String, _ arguments: [String] = []) throws -> String {
        let path = directory.url(name + ".tar")
        let made = try CommandLineTool.run("/usr/bin/env", ["python3", "-c", Self.writer, name, path] + arguments)
        #expect(made.status == 0, "\(made.stderr)")
        return path
    }

    @Test("PAX records and times that would overflow are refused, not trapped on")
    func overflowingPAX() {
        let fail = { (message: String) in DriftCheckError(.malformed, message) }
        #expect(throws: DriftCheckError.self) {
            try TarReader.parsePAX(Array("6 a=b\n9223372036854775807 c=d\n".utf8), fail)
        }
        #expect(TarReader.paxTime("--9223372036854775808") == nil)
        #expect(TarReader.paxTime("+5") == nil)
    }

    @Test("two names that decode to the same text never let an image write outside the collectors' copy")
    func collidingNames() throws {
        let fixture = try Fixture()
        let outside = fixture.directory.url("outside")
        try fixture.directory.makeDirectory("outside")
        let archive = try make(fixture.directory, "collide", [outside])
        let result = try CommandLineTool.driftcheck(
            "baseline", "--image-tar", archive, "--image", "x-1", "--key", fixture.key, "--out",
            fixture.directory.url("m.jsonl"), "--quiet")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "nothing written through the link")
        let paths = try fixture.entries(fixture.directory.url("m.jsonl")).map(\.path)
        #expect(paths.contains(Array("/etc/systemd/".utf8) + [0xFF] + Array("/evil".utf8)), "recorded exactly")
    }

    @Test("an opaque marker hides lower layers at every depth, wherever it sits in its layer")
    func opaqueAtDepth() throws {
        let directory = try TemporaryDirectory()
        let tree = ImageTree(source: "test", keepContent: { _, _ in false })
        for name in ["lower", "upper"] {
            let file = try OpenFile(try make(directory, name))
            try tree.apply(TarReader(file.range(0, file.size), path: name))
        }
        let paths = tree.entries().map { String(decoding: $0.path, as: UTF8.self) }
        #expect(paths == ["/", "/a", "/a/b", "/a/b/new"])
    }
}
