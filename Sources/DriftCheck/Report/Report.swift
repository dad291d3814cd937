/// Which manifest one side of a comparison came from.
package struct ManifestSource: Sendable {
    package var path: String
    package var header: ManifestHeader
    /// Id of the trusted key whose signature verified.
    package var keyID: String
    package var entries: Int
}

/// What to do about the drift.
package struct Recommendation: Sendable {
    /// "none" or "rebuild".
    package var action: String
    /// The items (or facts) that triggered the action.
    package var reasons: [String]
}

/// The result of comparing a host with its baseline: the value every renderer formats.
package struct Report: Sendable {
    package static let schema = "driftcheck-report/1"

    package var baseline: ManifestSource
    package var host: ManifestSource
    package var items: [DriftItem]
    package var statistics: CompareStatistics
    package var generated: String
    package var tool: String

    /// True when the host manifest names a different image than the baseline.
    package var imageMismatch: Bool { baseline.header.image != host.header.image }

    /// The report's sections: item kinds in a fixed order, each with its top-level items.
    package static let kindOrder = ["image", "package", "service", "user", "group", "cron", "port", "module", "file"]

    /// Top-level items per kind, in ``kindOrder`` then any other kind alphabetically.
    package var itemsByKind: [(kind: String, items: [DriftItem])] {
        let kinds = Set(items.map(\.kind))
        let ordered = Self.kindOrder.filter(kinds.contains) + kinds.subtracting(Self.kindOrder).sorted()
        return ordered.map { kind in (kind, items.filter { $0.kind == kind }) }
    }

    /// File items folded under another item (a package's files, a service's links).
    package var groupedCount: Int { items.reduce(0) { $0 + $1.related.count } }

    /// Items per severity.
    package var counts: [Severity: Int] {
        var counts: [Severity: Int] = [:]
        for item in items { counts[item.severity, default: 0] += 1 }
        return counts
    }

    /// The highest severity present, if any drift was found.
    package var highestSeverity: Severity? { items.map(\.severity).max() }

    /// True when drift at or above `threshold` was found: the gate's exit code 1.
    package func fails(at threshold: Severity) -> Bool {
        items.contains { $0.severity >= threshold }
    }

    private static let maximumReasons = 50

    /// `rebuild` when anything high or critical drifted (with those items as reasons), else `none`.
    package var recommendation: Recommendation {
        let serious = items.filter { $0.severity >= .high }
        guard !serious.isEmpty else { return Recommendation(action: "none", reasons: []) }
        var reasons = serious.prefix(Self.maximumReasons).map { item in
            let fields = item.fields.isEmpty ? "" : " (" + item.fields.joined(separator: ", ") + ")"
            let note = item.note.map { ": \($0)" } ?? ""
            return "\(item.severity.name): \(item.kind) \(TerminalText.escape(item.name)) \(item.change.rawValue)"
                + "\(fields)\(note)"
        }
        if serious.count > Self.maximumReasons {
            reasons.append("… and \(serious.count - Self.maximumReasons) more high or critical items")
        }
        return Recommendation(action: "rebuild", reasons: reasons)
    }

    /// Builds the report from two verified manifests: the comparison itself plus the image check.
    package static func compare(
        baseline: ManifestReader, host: ManifestReader, generated: String, tool: String,
        allowlist: LiveAllowlist = LiveAllowlist()
    ) throws(DriftCheckError) -> Report {
        var items: [DriftItem] = []
        let baselineImage = baseline.header.image
        let hostImage = host.header.image
        if baselineImage != hostImage {
            items.append(
                DriftItem(
                    kind: "image", name: Array((hostImage ?? "(none)").utf8), change: .modified, fields: [],
                    severity: .high, baseline: .text(baselineImage ?? "(none)"), host: .text(hostImage ?? "(none)")))
        }
        var found: [DriftItem] = []
        var statistics = try Comparer.compare(baseline: baseline, host: host) { found.append($0) }
        let (kept, allowed) = allowlist.filter(found, baselineIsLive: baseline.header.live)
        found = kept
        statistics.allowed = allowed
        let rank = { (kind: String) in kindOrder.firstIndex(of: kind) ?? kindOrder.count }
        items += Grouping.group(found).enumerated().sorted { left, right in
            let (a, b) = (rank(left.element.kind), rank(right.element.kind))
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
        func source(_ reader: ManifestReader) -> ManifestSource {
            ManifestSource(
                path: reader.path, header: reader.header, keyID: reader.keyID, entries: reader.trailer?.entries ?? 0)
        }
        return Report(
            baseline: source(baseline), host: source(host), items: items, statistics: statistics,
            generated: generated, tool: tool)
    }
}
