/// A shell-style glob over paths and names: `*` matches any run of characters within one path component, `?` one
/// character, `[abc]`/`[a-z]`/`[!a]` one character of a set, and a whole component `**` any number of components
/// (zero included), so `/var/log/**` matches `/var/log` itself and everything below it.
package struct PathGlob: Equatable, Sendable, CustomStringConvertible {
    package let pattern: String
    private let components: [[UInt8]]
    private let anchored: Bool
    /// The directories every match starts with (the pattern up to the last `/` before its first wildcard), so most
    /// paths are rejected with one comparison instead of a component-by-component match.
    private let literalPrefix: [UInt8]
    /// True when the pattern has no wildcard: only the path itself matches.
    private let isExact: Bool

    package init(_ pattern: String) {
        self.pattern = pattern
        let bytes = Array(pattern.utf8)
        anchored = bytes.first == UInt8(ascii: "/")
        let wildcard = bytes.firstIndex {
            $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[")
        }
        isExact = wildcard == nil && bytes.first == UInt8(ascii: "/") && bytes.last != UInt8(ascii: "/")
        if let wildcard {
            let slash = bytes[..<wildcard].lastIndex(of: UInt8(ascii: "/")) ?? 0
            literalPrefix = Array(bytes[..<slash])
        } else {
            // No wildcard: only the path itself can match.
            literalPrefix = bytes
        }
        components = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
    }

    package var description: String { pattern }

    /// True when `path` (or a record name) matches. A pattern without a leading slash matches names as a whole,
    /// with `/` treated as an ordinary separator all the same.
    package func matches(_ path: [UInt8]) -> Bool {
        if !literalPrefix.isEmpty && !path.starts(with: literalPrefix) { return false }
        if isExact { return path == literalPrefix }
        let parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map(Array.init)
        if anchored != (path.first == UInt8(ascii: "/")) && !components.isEmpty { return false }
        return match(components[...], parts[...])
    }

    package func matches(_ text: String) -> Bool { matches(Array(text.utf8)) }

    private func match(_ pattern: ArraySlice<[UInt8]>, _ parts: ArraySlice<[UInt8]>) -> Bool {
        guard let first = pattern.first else { return parts.isEmpty }
        if first == Array("**".utf8) {
            let rest = pattern.dropFirst()
            var remaining = parts
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let part = parts.first, PathGlob.matchComponent(first[...], part[...]) else { return false }
        return match(pattern.dropFirst(), parts.dropFirst())
    }

    /// Matches one component with `*`, `?` and `[...]`.
    static func matchComponent(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var t = text.startIndex
        var starP: Int? = nil
        var starT = 0
        while t < text.endIndex {
            if p < pattern.endIndex {
                let byte = pattern[p]
                if byte == UInt8(ascii: "*") {
                    starP = p
                    starT = t
                    p += 1
                    continue
                }
                if byte == UInt8(ascii: "?") {
                    p += 1
                    t += 1
                    continue
                }
                if byte == UInt8(ascii: "["), let (matched, next) = matchClass(pattern, from: p, byte: text[t]) {
                    if matched {
                        p = next
                        t += 1
                        continue
                    }
                } else if byte == text[t] {
                    p += 1
                    t += 1
                    continue
                }
            }
            guard let star = starP else { return false }
            p = star + 1
            starT += 1
            t = starT
        }
        while p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    /// Matches `byte` against the class starting at `start` (`[`); nil when the class is not closed (then `[` is
    /// literal).
    private static func matchClass(_ pattern: ArraySlice<UInt8>, from start: Int, byte: UInt8) -> (Bool, Int)? {
        var index = start + 1
        var negate = false
        if index < pattern.endIndex && (pattern[index] == UInt8(ascii: "!") || pattern[index] == UInt8(ascii: "^")) {
            negate = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.endIndex {
            let current = pattern[index]
            if current == UInt8(ascii: "]") && !first { return (matched != negate, index + 1) }
            first = false
            if index + 2 < pattern.endIndex && pattern[index + 1] == UInt8(ascii: "-")
                && pattern[index + 2] != UInt8(ascii: "]")
            {
                if byte >= current && byte <= pattern[index + 2] { matched = true }
                index += 3
            } else {
                if byte == current { matched = true }
                index += 1
            }
        }
        return nil
    }
}
