import Foundation
import Testing

@testable import DriftCheck

/// Files of 1 GiB or more get the block digest: holes are skipped without being read, so a 64 GiB sparse file costs
/// what its data costs, and the digest depends on the content only, not on how the zeros are stored.
@Suite("Sparse and huge files")
struct SparseFileTests {
    /// An independent implementation of the block digest's definition (FileEntry.blockDigest), in Python, using
    /// SEEK_DATA to skip holes the same way.
    static let reference = #"""
        import hashlib, os, struct, sys
        path = sys.argv[1]
        fd = os.open(path, os.O_RDONLY)
        size = os.fstat(fd).st_size
        h = hashlib.sha256()
        offset = 0
        while offset < size:
            try:
                data = os.lseek(fd, offset, os.SEEK_DATA)
            except OSError:
                break
            hole = min(os.lseek(fd, data, os.SEEK_HOLE), size)
            block = data // 4096 * 4096
            while block < hole:
                chunk = os.pread(fd, min(4096, size - block), block)
                if any(chunk):
                    h.update(struct.pack(">Q", block) + chunk)
                block += 4096
            offset = block
        h.update(struct.pack(">Q", size))
        print(h.hexdigest())
        """#

    private func referenceDigest(_ path: String) throws -> String {
        try CommandLineTool.run("/usr/bin/env", ["python3", "-c", Self.reference, path]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "a 64 GiB sparse file is hashed from its data alone, matching the digest's definition, and edits in a hole show"
    )
    func sparseFile() throws {
        let fixture = try Fixture()
        let sparse = fixture.root + "/disk.img"
        let made = try CommandLineTool.shell(
            "truncate -s 64G '\(sparse)' && printf 'head' | dd of='\(sparse)' conv=notrunc status=none "
                + "&& printf 'middle' | dd of='\(sparse)' bs=1 seek=10737418340 conv=notrunc status=none "
                + "&& printf 'z' | dd of='\(sparse)' bs=1 seek=68719476735 conv=notrunc status=none")
        #expect(made.status == 0, "\(made.stderr)")
        let started = Date()
        let manifest = try fixture.scan("sparse.jsonl")
        let seconds = Date().timeIntervalSince(started)
        let entry = try #require(try fixture.entries(manifest).first { $0.path == Array("/disk.img".utf8) })
        #expect(entry.size == 64 << 30)
        #expect(entry.error == nil)
        #expect(entry.blockDigest)
        #expect(entry.sha256.map(Hex.encode) == (try referenceDigest(sparse)))
        // Reading 64 GiB of zeros would take minutes; the data is three blocks.
        #expect(seconds < 60, "scan took \(seconds) s")
        let raw = try String(contentsOfFile: manifest, encoding: .utf8)
        #expect(raw.contains(#""sha256_blocks":""#))
        // One byte written into a hole changes the digest.
        #expect(
            try CommandLineTool.shell(
                "printf 'x' | dd of='\(sparse)' bs=1 seek=34359738368 conv=notrunc status=none"
            ).status == 0)
        let changed = try fixture.scan("changed.jsonl")
        let after = try #require(try fixture.entries(changed).first { $0.path == Array("/disk.img".utf8) })
        #expect(after.sha256 != entry.sha256)
        #expect(after.sha256.map(Hex.encode) == (try referenceDigest(sparse)))
        let compared = try fixture.compare(manifest, changed)
        #expect(compared.status == 1)
        #expect(compared.stdout.contains("/disk.img"))
        // The JSON report names the block digest as the manifest does, never as a plain sha256 (schema-checked).
        let (_, report) = try fixture.jsonReport(manifest, changed)
        let item = try #require(Fixture.item(report, named: "/disk.img"))
        #expect(item["baseline"]?["sha256_blocks"]?.stringValue == entry.sha256.map(Hex.encode))
        #expect(item["host"]?["sha256_blocks"]?.stringValue == after.sha256.map(Hex.encode))
        #expect(item["host"]?["sha256"] == nil)
    }

    @Test("the same content stored with holes or with written zeros has the same block digest")
    func holesOrZeros() throws {
        let fixture = try Fixture()
        let holes = fixture.root + "/holes.img"
        let zeros = fixture.root + "/zeros.img"
        let made = try CommandLineTool.shell(
            """
            set -e
            truncate -s 1100M '\(holes)'
            printf 'data' | dd of='\(holes)' bs=1 seek=5000 conv=notrunc status=none
            printf 'tail' | dd of='\(holes)' bs=1 seek=1153433596 conv=notrunc status=none
            truncate -s 1100M '\(zeros)'
            dd if=/dev/zero of='\(zeros)' bs=1M count=16 conv=notrunc status=none
            printf 'data' | dd of='\(zeros)' bs=1 seek=5000 conv=notrunc status=none
            printf 'tail' | dd of='\(zeros)' bs=1 seek=1153433596 conv=notrunc status=none
            """)
        #expect(made.status == 0, "\(made.stderr)")
        let entries = try fixture.entries(fixture.scan("m.jsonl"))
        let a = try #require(entries.first { $0.path == Array("/holes.img".utf8) })
        let b = try #require(entries.first { $0.path == Array("/zeros.img".utf8) })
        #expect(a.blockDigest && b.blockDigest)
        #expect(a.sha256 != nil && a.sha256 == b.sha256)
        #expect(a.sha256.map(Hex.encode) == (try referenceDigest(holes)))
    }

    @Test("files under 1 GiB keep plain SHA-256, the digest sha256sum prints")
    func plainBelowThreshold() throws {
        let fixture = try Fixture()
        let file = fixture.root + "/small.img"
        #expect(try CommandLineTool.shell("truncate -s 100M '\(file)' && printf 'x' >> '\(file)'").status == 0)
        let entry = try #require(
            try fixture.entries(fixture.scan("m.jsonl")).first { $0.path == Array("/small.img".utf8) })
        #expect(!entry.blockDigest)
        let expected = try CommandLineTool.shell("sha256sum '\(file)' | cut -d' ' -f1").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(entry.sha256.map(Hex.encode) == expected)
    }
}
