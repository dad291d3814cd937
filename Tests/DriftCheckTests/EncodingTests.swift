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
}
