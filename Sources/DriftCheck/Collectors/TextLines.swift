/// Helpers shared by the text-file parsers of the collectors.
enum TextLines {
    /// The lines of `bytes` decoded as UTF-8 (invalid bytes replaced), without line terminators.
    static func lines(_ bytes: [UInt8]) -> [Substring] {
        // Split the bytes, not the String: Swift treats "\r\n" as one Character.
        bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self))
        }
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trim(_ text: Substring) -> Substring {
        var result = text
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }

    /// `text` split on runs of spaces and tabs.
    static func words(_ text: Substring) -> [Substring] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }
}
