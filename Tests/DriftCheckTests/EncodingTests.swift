import Foundation
import Testing

@testable import DriftCheck

@Suite("Encodings")
struct EncodingTests {
    @Test("base64 round-trips every length and byte value")
    func base64RoundTrip() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 250) }
            #expect(Base64.decode(Array(Base64.encode(bytes).utf8)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.decode(Array("Zm9v!mFy".utf8)) == nil)
    }

    @Test("terminal escaping leaves no control byte and keeps valid UTF-8 readable")
    func terminalEscaping() {
        let hostile: [UInt8] = Array("a\u{1B}]0;owned\u{07}b\nc\\".utf8) + [0xFF, 0xC2, 0x9B] + Array("é".utf8)
        let escaped = TerminalText.escape(hostile)
        #expect(escaped == "a\\x1B]0;owned\\x07b\\nc\\\\\\xFF\\u{9b}é")
        #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) })
    }

    @Test("JSON strings written by the builder parse back to the same bytes, control characters escaped")
    func jsonStringRoundTrip() throws {
        let samples: [[UInt8]] = (0..<128).map { [UInt8($0), 0x41] } + [Array("\u{85}\u{2028}ü😀".utf8)]
        for sample in samples {
            var json = JSONBuilder()
            json.string(sample)
            #expect(!json.bytes.contains { $0 < 0x20 || $0 == 0x7F })
            #expect(try JSONParser.parse(json.bytes) == .string(sample))
        }
    }

    @Test("the JSON parser rejects every prefix of a valid line without trapping")
    func parserHandlesPrefixes() {
        let line = Array(#"{"a":[1,-2,"x\u00e9\ud83d\ude00",true,false,null,{"b":{}}],"c":"\n"}"#.utf8)
        #expect((try? JSONParser.parse(line)) != nil)
        for length in 0..<line.count {
            #expect((try? JSONParser.parse(Array(line[0..<length]))) == nil)
        }
    }

    @Test("the JSON parser survives random bytes")
    func parserSurvivesRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        var parsed = 0
        let alphabet = Array(#"{}[]":,\0123456789-eu"tfnrl aé"#.utf8) + [0xFF, 0x00, 0x0A]
        for _ in 0..<20000 {
            let length = Int.random(in: 0..<24, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            if (try? JSONParser.parse(bytes)) != nil { parsed += 1 }
        }
        #expect(parsed < 20000)
    }

    @Test("canonical order compares component by component")
    func canonicalOrder() {
        let sorted = ["/", "/a", "/a/b", "/a/b/c", "/a-b", "/a.b", "/b"].map { Array($0.utf8) }
        for (index, path) in sorted.enumerated() {
            for later in sorted[(index + 1)...] {
                #expect(CanonicalOrder.precedes(path, later))
                #expect(!CanonicalOrder.precedes(later, path))
            }
        }
    }

    @Test("timestamps and device numbers round-trip through their manifest text")
    func timestampAndDeviceText() {
        let time = Timestamp(seconds: 1_700_000_000, nanoseconds: 5)
        #expect(time.description == "1700000000.000000005")
        #expect(Timestamp(parsing: time.description) == time)
        var entry = FileEntry(
            path: [0x2F], type: .char, permissions: 0o666, uid: 0, gid: 0, size: 0, modified: time, changed: time)
        entry.deviceNumber = FileEntry.deviceNumber(parsing: Array("259:65540".utf8))
        #expect(entry.deviceNumberText == "259:65540")
    }

    /// The file line as the generic builder writes it, key by key: what the literal-keyed encoder must equal.
    private func referenceLine(_ entry: FileEntry) -> [UInt8] {
        var json = JSONBuilder()
        json.openObject()
        json.field("kind", "file")
        json.byteStringField("path", entry.path)
        json.field("type", entry.type.rawValue)
        json.field("mode", entry.modeText)
        json.field("uid", entry.uid)
        json.field("gid", entry.gid)
        json.field("size", entry.size)
        if let rdev = entry.deviceNumberText { json.field("rdev", rdev) }
        if let digest = entry.sha256 { json.field(entry.blockDigest ? "sha256_blocks" : "sha256", Hex.encode(digest)) }
        if let target = entry.target { json.byteStringField("target", target) }
        if let capabilities = entry.capabilities { json.field("caps", Hex.encode(capabilities)) }
        if let package = entry.package { json.field("pkg", package) }
        if entry.conffile { json.field("conffile", true) }
        if let check = entry.packageCheck { json.field("pkg_check", check.rawValue) }
        if let unscanned = entry.unscanned { json.field("unscanned", unscanned) }
        if let error = entry.error { json.field("error", error) }
        json.field("mtime", entry.modified.description)
        json.field("ctime", entry.changed.description)
        json.field("dev", entry.device)
        json.field("ino", entry.inode)
        json.field("nlink", entry.linkCount)
        json.closeObject()
        return json.bytes
    }

    @Test("the file-line encoder writes exactly the bytes of the generic JSON builder, for every optional field")
    func fileLineEncoderMatchesBuilder() throws {
        var generator = SystemRandomNumberGenerator()
        let types: [FileType] = [.file, .dir, .symlink, .char, .block, .fifo, .socket]
        let names: [[UInt8]] = [
            Array("/etc/passwd".utf8), Array("/tmp/ä ö \"quoted\" back\\slash".utf8), [0x2F, 0xFF, 0xFE, 0x41],
            [0x2F, 0x0A, 0x1B, 0x5B, 0x32, 0x4A, 0x7F], Array("/caf\u{E9}/\u{202E}gnp.exe".utf8), [0x2F, 0xC0, 0xAF],
        ]
        for round in 0..<2000 {
            let time = { () -> Timestamp in
                Timestamp(
                    seconds: Int64.random(in: -3_000_000_000...5_000_000_000, using: &generator),
                    nanoseconds: round % 7 == 0 ? 0 : Int64.random(in: 0..<1_000_000_000, using: &generator))
            }
            var entry = FileEntry(
                path: names[round % names.count] + Array("\(round)".utf8), type: types[round % types.count],
                permissions: UInt32.random(in: 0...0o7777, using: &generator),
                uid: round % 5 == 0 ? UInt32.max : UInt32.random(in: 0...70000, using: &generator),
                gid: UInt32.random(in: 0...70000, using: &generator),
                size: round % 11 == 0 ? Int64.max : Int64.random(in: 0...(1 << 40), using: &generator),
                modified: time(), changed: time(), device: UInt64.random(in: 0...0xFFFF_FFFF, using: &generator),
                inode: UInt64(round), linkCount: UInt64.random(in: 1...3, using: &generator))
            if entry.type == .char || entry.type == .block { entry.deviceNumber = UInt64(round) << 8 | 3 }
            if round % 2 == 0 { entry.sha256 = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            entry.blockDigest = round % 6 == 0
            if round % 3 == 0 { entry.target = names[(round + 1) % names.count] }
            if round % 5 == 0 {
                entry.capabilities = (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            if round % 4 == 0 { entry.package = "libc6:amd64" }
            entry.conffile = round % 8 == 0
            if round % 9 == 0 { entry.packageCheck = round % 2 == 0 ? .ok : .mismatch }
            if round % 10 == 0 { entry.unscanned = "mount" }
            if round % 13 == 0 { entry.error = "cannot open: \u{1B}]0;owned\u{07} \"x\"" }
            var json = JSONBuilder()
            ManifestEncoding.encode(entry, into: &json)
            #expect(json.bytes == referenceLine(entry), "round \(round)")
            #expect(try ManifestEncoding.decodeEntry(JSONParser.parse(json.bytes)) == .file(entry), "round \(round)")
            if let fast = FileLineDecoder.decode(json.bytes) { #expect(fast == entry, "round \(round)") }
        }
    }
}

@Suite("Terminal text")
struct TerminalTextTests {
    @Test("bidirectional overrides and invisible characters are escaped, so one name cannot pose as another")
    func bidiAndInvisible() {
        let spoof = Array("evil\u{202E}txt.exe".utf8)
        #expect(TerminalText.escape(spoof) == "evil\\u{202e}txt.exe")
        #expect(TerminalText.escape(Array("a\u{200B}b\u{FEFF}".utf8)) == "a\\u{200b}b\\u{feff}")
        #expect(TerminalText.escape(Array("café ✓".utf8)) == "café ✓", "ordinary text passes")
    }

    @Test("free text is cleaned of controls without escaping its backslashes twice")
    func clean() {
        #expect(TerminalText.clean("plain") == "plain")
        #expect(TerminalText.clean("a\u{1B}[2Jb") == "a\\u{1b}[2Jb")
        #expect(TerminalText.clean("already \\x1B escaped") == "already \\x1B escaped")
        #expect(TerminalText.clean("line\nbreak\u{85}") == "line\\u{a}break\\u{85}")
    }

    @Test("an error message quoting hostile text prints on one line with no control character")
    func errorMessages() {
        let error = DriftCheckError(.malformed, path: "/tmp/x\u{1B}]0;t\u{07}", "bad host \"\u{1B}[31mweb\n\"")
        let text = error.description
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(text.contains("\\u{1b}[31mweb\\u{a}"))
    }
}

@Suite("JSON parser limits")
struct JSONParserLimitTests {
    @Test("duplicate keys are refused in small and in large objects, and a huge object parses in linear time")
    func duplicateKeys() throws {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(#"{"a":1,"a":2}"#.utf8)) }
        let many = (0..<40).map { "\"k\($0)\":\($0)" }
        #expect(throws: JSONParser.Failure.self) {
            try JSONParser.parse(Array(("{" + (many + ["\"k16\":0"]).joined(separator: ",") + "}").utf8))
        }
        #expect(throws: JSONParser.Failure.self) {
            try JSONParser.parse(Array(("{" + (many + ["\"k39\":0"]).joined(separator: ",") + "}").utf8))
        }
        let huge = "{" + (0..<100_000).map { "\"key\($0)\":0" }.joined(separator: ",") + "}"
        let started = Date()
        #expect(try JSONParser.parse(Array(huge.utf8))["key99999"]?.integerValue == 0)
        #expect(Date().timeIntervalSince(started) < 10, "a 100,000-key object must not take quadratic time")
    }

    @Test("a byte search finds a needle anywhere, at either end, and not past the end")
    func byteSearch() {
        let hay = Array("-----BEGIN OPENSSH PRIVATE KEY-----".utf8)
        #expect(hay.contains(bytes: Array("PRIVATE KEY".utf8)))
        #expect(hay.contains(bytes: Array("-----BEGIN".utf8)) && hay.contains(bytes: Array("KEY-----".utf8)))
        #expect(!hay.contains(bytes: Array("KEY------".utf8)))
        #expect(!Array("PRIVATE KE".utf8).contains(bytes: Array("PRIVATE KEY".utf8)))
        #expect(Array("aaab".utf8).contains(bytes: Array("aab".utf8)))
        #expect(![UInt8]().contains(bytes: [1]) && [UInt8]().contains(bytes: []))
    }
}
