import Glibc

/// What a live host may have that an image cannot: listening ports and loaded kernel modules. An image baseline has
/// none, so instead of comparing them with the image, `compare --allowlist FILE` checks them against this list.
///
/// File format: one rule per line, `KIND PATTERN` with KIND `port` or `module` and a shell glob PATTERN matched
/// against the item's name (`port tcp/0.0.0.0:22`, `port udp/*:68`, `module ext4`, `module nf_*`); `#` starts a
/// comment. A port or module that a live host has and the baseline lacks is reported only when no rule matches it.
package struct LiveAllowlist: Sendable {
    private var rules: [(kind: EntryKind, pattern: String)] = []

    package init() {}

    /// Parses an allowlist; a malformed line is an error naming the file and line.
    package init(contents: [UInt8], path: String) throws(DriftCheckError) {
        for (number, line) in TextLines.lines(contents).enumerated() {
            let text = TextLines.trim(
                line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            if text.isEmpty { continue }
            let words = TextLines.words(text)
            let kind = EntryKind(String(words.first ?? ""))
            guard words.count == 2, kind.isLiveOnly else {
                throw DriftCheckError(
                    .malformed, path: path, "line \(number + 1): expected \"port PATTERN\" or \"module PATTERN\"")
            }
            rules.append((kind, String(words[1])))
        }
    }

    /// Adds one rule.
    package mutating func add(kind: EntryKind, pattern: String) {
        rules.append((kind, pattern))
    }

    /// Adds every rule of `other`.
    package mutating func merge(_ other: LiveAllowlist) {
        rules += other.rules
    }

    /// Loads an allowlist file.
    package static func load(_ path: String) throws(DriftCheckError) -> LiveAllowlist {
        try LiveAllowlist(contents: try MappedFile.contents(of: path), path: path)
    }

    /// True when a rule of the item's kind matches its name.
    package func allows(kind: EntryKind, name: String) -> Bool {
        rules.contains { rule in rule.kind == kind && fnmatch(rule.pattern, name, 0) == 0 }
    }

    /// Drops the live-only items a live host added against a non-live baseline when the allowlist permits them.
    func filter(_ items: [DriftItem], baselineIsLive: Bool) -> (kept: [DriftItem], allowed: Int) {
        guard !baselineIsLive else { return (items, 0) }
        var kept: [DriftItem] = []
        var allowed = 0
        for item in items {
            if item.kind.isLiveOnly, item.change == .added, allows(kind: item.kind, name: item.nameText) {
                allowed += 1
            } else {
                kept.append(item)
            }
        }
        return (kept, allowed)
    }
}
