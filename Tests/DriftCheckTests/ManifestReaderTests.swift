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
            "{\"format\":\"driftcheck-manifest/1\",\"image\":null,\"host\":\"h\",\"time\":\"t\",\"tool\":\"x\",\"root\":\"/\",\"collectors\":[],\"cross_mounts\":false}\n{\"kind\":\"file\",\"path\":\"/\"}\n",
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
