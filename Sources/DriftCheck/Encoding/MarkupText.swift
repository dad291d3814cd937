/// Text made safe for XML and HTML content and attribute values: the five markup characters as entities, and the
/// control characters XML 1.0 cannot carry even escaped written as `\xNN`.
package enum MarkupText {
    package static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default:
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" {
                    escaped += "\\x" + Hex.encode([UInt8(scalar.value)])
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }
}
