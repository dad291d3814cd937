import Foundation
import Testing

@testable import DriftCheck

@Suite("Manifest reader")
struct ManifestReaderTests {
    /// Writes `contents` as a manifest and signs it with the fixture's key through openssl, so that only the
    /// format (not the signature) is wrong.
    private func signedManifest(_ fixture: Fixture, _ name: String, _ contents: [UInt8]) throws -> String {
        let path = fixture.directory.url(name)
        try Data(contents).write(to: URL(fileURLWithPath: path))
        let signed = try CommandLineTool.shell(
            "openssl pkeyutl -sign -inkey signing.key -rawin -in '\(name)' -out '\(name).sig'",
            in: fixture.directory.path)
        #expect(signed.status == 0, "\(signed.stderr)")
        return path
    }

    @Test("a validly signed but truncated manifest exits 2 naming the file and the problem")
    func truncatedManifest() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let good = try fixture.scan("good.jsonl")
        let lines = try Data(contentsOf: URL(fileURLWithPath: good)).split(separator: 0x0A)
        let withoutEnd: [UInt8] = lines.dropLast().flatMap { Array($0) + [0x0A] }
        let truncated = try signedManifest(fixture, "truncated.jsonl", withoutEnd)
        let result = try fixture.compare(good, truncated)
        #expect(result.status == 2)
        #expect(result.stderr.contains("truncated.jsonl"))
        #expect(result.stderr.contains("truncated: no end line"))
        let midLine = try signedManifest(fixture, "midline.jsonl", Array(withoutEnd.dropLast(10)) as [UInt8])
        let cut = try fixture.compare(good, midLine)
        #expect(cut.status == 2)
        #expect(cut.stderr.contains("the last line has no newline"))
        #expect(cut.stderr.split(separator: "\n").count == 1)
    }

    @Test(
        "garbage signed with a trusted key exits 2 with a one-line message",
        arguments: [
            "not json at all\n", "{\"format\":\"other/9\"}\n", "\u{0}\u{1}\u{2}\n", "\n",
            "{\"format\":\"driftcheck-manifest/1\",\"image\":null,\"host\":\"h\",\"time\":\"t\",\"tool\":\"x\","
                + "\"root\":\"/\",\"collectors\":[],\"cross_mounts\":false}\n{\"kind\":\"file\",\"path\":\"/\"}\n",
        ])
    func garbageManifest(_ contents: String) throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let good = try fixture.scan("good.jsonl")
        let garbage = try signedManifest(fixture, "garbage.jsonl", Array(contents.utf8))
        let result = try fixture.compare(good, garbage)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("driftcheck: \(garbage)"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("entries out of canonical order are rejected")
    func outOfOrderEntries() throws {
        let fixture = try Fixture()
        try fixture.populateImage()
        let good = try fixture.scan("good.jsonl")
        var lines: [[UInt8]] = try Data(contentsOf: URL(fileURLWithPath: good)).split(separator: 0x0A).map { Array($0) }
        lines.swapAt(2, 3)
        let swapped = try signedManifest(fixture, "swapped.jsonl", lines.flatMap { $0 + [0x0A] })
        let result = try fixture.compare(good, swapped)
        #expect(result.status == 2)
        #expect(result.stderr.contains("not in canonical order"))
    }
}

@Suite("Fast file-line decoder")
struct FileLineDecoderTests {
    private func generic(_ line: [UInt8]) -> ManifestEntry? {
        guard let object = try? JSONParser.parse(line) else { return nil }
        return try? ManifestEncoding.decodeEntry(object)
    }

    @Test("decodes exactly what the strict parser decodes, and defers on everything else")
    func agreesWithTheStrictParser() throws {
        var json = JSONBuilder()
        var lines: [[UInt8]] = []
        var entry = FileEntry(
            path: Array("/usr/bin/tool".utf8), type: .file, permissions: 0o4755, uid: 0, gid: 27, size: 1234,
            modified: Timestamp(seconds: 1_700_000_000, nanoseconds: 5),
            changed: Timestamp(seconds: -3, nanoseconds: 0),
            device: 65024, inode: 1234, linkCount: 2)
        entry.sha256 = Array(repeating: 0xAB, count: 32)
        entry.package = "coreutils"
        entry.packageCheck = .mismatch
        entry.capabilities = [0x01, 0x00, 0x00, 0x02]
        for variant in 0..<6 {
            var copy = entry
            if variant == 1 { copy.type = .symlink; copy.sha256 = nil; copy.target = Array("../lib/x".utf8) }
            if variant == 2 { copy.type = .char; copy.deviceNumber = 0x103; copy.sha256 = nil }
            if variant == 3 { copy.error = "changed while being read"; copy.conffile = true }
            if variant == 4 { copy.path = Array("/caf\u{E9}/new\nline".utf8) }
            if variant == 5 { copy.path = [0x2F, 0xFF, 0xFE] }
            ManifestEncoding.encode(copy, into: &json)
            lines.append(json.bytes)
        }
        for line in lines {
            let fast = FileLineDecoder.decode(line)
            if let fast { #expect(generic(line) == .file(fast), "\(String(decoding: line, as: UTF8.self))") }
        }
        #expect(FileLineDecoder.decode(lines[0]) != nil)
        #expect(FileLineDecoder.decode(lines[4]) == nil, "escapes go to the strict parser")
        #expect(FileLineDecoder.decode(lines[5]) == nil, "base64 names go to the strict parser")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            var damaged = lines[Int.random(in: 0..<lines.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<damaged.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: damaged[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: damaged.remove(at: position)
                default: damaged.insert(damaged[position], at: position)
                }
            }
            if let fast = FileLineDecoder.decode(damaged) {
                #expect(
                    generic(damaged) == .file(fast),
                    """
                    the fast path accepted what the strict parser does not: \
                    \(String(decoding: damaged, as: UTF8.self))
                    """
                )
            }
        }
    }
}
