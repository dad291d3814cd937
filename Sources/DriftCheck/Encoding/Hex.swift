/// Lower-case hexadecimal text for bytes (digests, capability blobs).
package enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The bytes as lower-case hex.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        append(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// `text` cut to its first 12 characters and "…" when it is a SHA-256 written in hex (64 hex digits), else
    /// `text` itself: how reports show a digest in a line meant for people.
    package static func abbreviatingDigest(_ text: String) -> String {
        text.utf8.count == 64 && decode(Array(text.utf8)) != nil ? String(text.prefix(12)) + "…" : text
    }

    /// Appends the bytes as lower-case hex to `text`.
    static func append(_ bytes: some Collection<UInt8>, to text: inout [UInt8]) {
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
    }

    /// The bytes of hex text, or nil when it is not hex of even length.
    package static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.count / 2)
        var high: UInt8? = nil
        for character in text {
            let value: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = character - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}
