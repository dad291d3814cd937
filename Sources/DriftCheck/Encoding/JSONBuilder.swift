/// Writes compact JSON (no optional whitespace) straight into a byte buffer.
///
/// Used for manifests and reports. Strings are escaped so that the output never carries a raw control character:
/// C0 controls, DEL and C1 controls become `\uXXXX`. Bytes that are not valid UTF-8 become U+FFFD; callers that
/// need them back store a base64 copy beside the readable string.
package struct JSONBuilder {
    /// The JSON written so far.
    package private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    package init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Forgets what was written, keeping the buffer's capacity.
    package mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = [false]
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    package mutating func openObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    package mutating func closeObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    package mutating func openArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    package mutating func closeArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"name":`; the next value call writes the value.
    package mutating func key(_ name: String) {
        separate()
        var name = name
        name.withUTF8 { appendEscaped($0) }
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    package mutating func string(_ value: [UInt8]) {
        separate()
        value.withUnsafeBufferPointer { appendEscaped($0) }
    }

    package mutating func string(_ value: String) {
        separate()
        var value = value
        value.withUTF8 { appendEscaped($0) }
    }

    package mutating func number(_ value: some BinaryInteger) {
        separate()
        rawNumber(value)
    }

    // Writing an object whose shape the caller knows (a manifest's file line, written once per file): punctuation
    // and keys come as literals, values without the per-value comma bookkeeping. The caller writes every comma.

    /// Appends `text` as it is: punctuation and keys the caller wrote out, such as `,"mode":`.
    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` as a quoted JSON string.
    mutating func rawString(_ value: [UInt8]) {
        value.withUnsafeBufferPointer { appendEscaped($0) }
    }

    mutating func rawString(_ value: String) {
        var value = value
        value.withUTF8 { appendEscaped($0) }
    }

    /// Appends `key` (written out, such as `,"pkg":`) and `value` as a quoted JSON string.
    mutating func rawField(_ key: StaticString, _ value: String) {
        raw(key)
        rawString(value)
    }

    /// Appends `"KEY":"VALUE"` for a byte string, preceded by `"KEY_b64":"BASE64"` when the bytes are not valid
    /// UTF-8 (as ``byteStringField(_:_:)`` writes them); `key` is `,"KEY":` and `base64Key` is `,"KEY_b64":`.
    mutating func rawByteString(_ key: StaticString, _ value: [UInt8], base64Key: StaticString) {
        raw(key)
        rawString(value)
        if !TerminalText.isValidUTF8(value) {
            raw(base64Key)
            rawString(Base64.encode(value))
        }
    }

    /// Appends the decimal digits of `value`.
    mutating func rawNumber(_ value: some BinaryInteger) {
        // Digits straight into the buffer: String(value) would allocate for every number of every line.
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[index...])
        }
    }

    /// Appends `"HEX"`: the bytes as quoted lower-case hex.
    mutating func rawHex(_ value: [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        Hex.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends exactly `width` digits of `value` in `radix` (8 or 10), the leading ones zero.
    mutating func rawDigits(_ value: UInt64, width: Int, radix: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var value = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            for index in stride(from: width - 1, through: 0, by: -1) {
                buffer[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % radix)
                value /= radix
            }
            bytes.append(contentsOf: buffer[0..<width])
        }
    }

    package mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    package mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// A JSON array of strings.
    package mutating func stringArray(_ values: [String]) {
        openArray()
        for value in values { string(value) }
        closeArray()
    }

    /// Shorthands for a key followed by its value.
    package mutating func field(_ name: String, _ value: [UInt8]) { key(name); string(value) }
    package mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    package mutating func field(_ name: String, _ value: some BinaryInteger) { key(name); number(value) }
    package mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }
    /// A string member, or `null` when there is no value.
    package mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    /// Writes a name that may hold any bytes: the readable string under `name`, and when the bytes are not
    /// valid UTF-8 their exact base64 under `name_b64`.
    package mutating func byteStringField(_ name: String, _ value: [UInt8]) {
        field(name, value)
        if !TerminalText.isValidUTF8(value) { field(name + "_b64", Base64.encode(value)) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendUnicodeEscape(_ value: UInt32) {
        bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
        bytes.append(Self.hexDigits[Int(value >> 4 & 0xF)])
        bytes.append(Self.hexDigits[Int(value & 0xF)])
    }

    private mutating func appendEscaped(_ value: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var index = 0
        while index < value.count {
            // Copy the run of bytes that need no escaping in one go.
            var run = index
            while run < value.count {
                let byte = value[run]
                if byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
                run += 1
            }
            if run > index {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: value[index..<run]))
                index = run
                continue
            }
            let byte = value[index]
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20, 0x7F: appendUnicodeEscape(UInt32(byte))
            case 0x20..<0x7F: bytes.append(byte)
            default:
                let window = Array(value[index..<min(index + 4, value.count)])
                if let (scalar, length) = TerminalText.decodeScalar(window, at: 0) {
                    if scalar.value < 0xA0 {
                        appendUnicodeEscape(scalar.value)
                    } else {
                        bytes.append(contentsOf: value[index..<index + length])
                    }
                    index += length
                    continue
                }
                bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
            }
            index += 1
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
