/// Makes untrusted bytes (file names, link targets) safe to print on a terminal.
///
/// Valid UTF-8 text passes through, except that C0 controls, DEL and C1 controls are written as `\n`, `\t`,
/// `\xNN` or `\u{NN}`, a backslash as `\\`, and bytes that are not valid UTF-8 as `\xNN`. Nothing an attacker
/// puts in a name can reach the terminal as an escape sequence, and the escaped form is unambiguous.
package enum TerminalText {
    /// ``escape(_:)`` that keeps tab characters as they are: for the lines of a diff, where tabs are the file's
    /// indentation and a tab moves the cursor only.
    package static func escapeKeepingTabs(_ bytes: [UInt8]) -> String {
        bytes.split(separator: 0x09, omittingEmptySubsequences: false).map { escape(Array($0)) }
            .joined(separator: "\t")
    }

    /// The escaped, printable form of `bytes`.
    package static func escape(_ bytes: [UInt8]) -> String {
        var output = ""
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                switch byte {
                case UInt8(ascii: "\\"): output += "\\\\"
                case 0x0A: output += "\\n"
                case 0x09: output += "\\t"
                case 0x0D: output += "\\r"
                case 0x00..<0x20, 0x7F: output += "\\x" + hexByte(byte)
                default: output.unicodeScalars.append(Unicode.Scalar(byte))
                }
                index += 1
                continue
            }
            if let (scalar, length) = decodeScalar(bytes, at: index) {
                if isUnsafe(scalar) {
                    output += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    output.unicodeScalars.append(scalar)
                }
                index += length
            } else {
                output += "\\x" + hexByte(byte)
                index += 1
            }
        }
        return output
    }

    /// C1 controls, and the invisible and bidirectional formatting characters that can make one name look like
    /// another on screen (zero-width spaces and joiners, LRM/RLM, embeddings and overrides, isolates, separators,
    /// the byte-order mark).
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x80..<0xA0, 0x200B...0x200F, 0x2028...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// `text` with every control, invisible or bidirectional formatting character written as `\u{NN}`; other
    /// characters, backslashes included, unchanged. For free-form text that may already hold escaped names
    /// (messages, notes, versions): nothing in it reaches the terminal raw, and nothing is escaped twice.
    package static func clean(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || isUnsafe($0) }) else {
            return text
        }
        var output = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || isUnsafe(scalar) {
                output += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    private static func hexByte(_ byte: UInt8) -> String {
        Hex.encode([byte]).uppercased()
    }

    /// Decodes one UTF-8 scalar at `index`, rejecting overlong forms, surrogates and truncation.
    static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let continuation = bytes[index + offset]
            guard continuation & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(continuation & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }

    /// True when `bytes` are entirely valid UTF-8.
    package static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                index += 1
            } else if let (_, length) = decodeScalar(bytes, at: index) {
                index += length
            } else {
                return false
            }
        }
        return true
    }
}
