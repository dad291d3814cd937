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
    /// `none`, `rebuild`, or `investigate` (the drift looks like tampering).
    package var action: String
    /// The items (or facts) that triggered the action.
    package var reasons: [String]
}

/// Facts about the host's image beyond the two manifests: whether a newer baseline of its image family exists, and
/// how old its image is. Filled by the command from the baselines directory and the clock.
package struct ImageLifecycle: Sendable {
    /// The id of a newer baseline of the same image family, when there is one.
    package var supersededBy: String? = nil
    /// Days since the baseline was made.
    package var ageDays: Int? = nil

    package init() {}
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
    package var policyDigest: String
    package var rebuildAt: Severity = .high
    package var maximumAgeDays = 0
    package var rebuildWhenSuperseded = true
    package var lifecycle = ImageLifecycle()

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

    private static func reason(_ item: DriftItem) -> String {
        let fields = item.fields.isEmpty ? "" : " (" + item.fields.joined(separator: ", ") + ")"
        let note = item.note.map { ": \($0)" } ?? ""
        return "\(item.severity.name): \(item.kind) \(TerminalText.escape(item.name)) \(item.change.rawValue)"
            + "\(fields)\(note)"
    }

    private static func reasons(_ items: [DriftItem]) -> [String] {
        var reasons = items.prefix(maximumReasons).map(reason)
        if items.count > maximumReasons { reasons.append("… and \(items.count - maximumReasons) more items") }
        return reasons
    }

    /// True when an item looks like tampering rather than an operator's change: a package-owned file changed outside
    /// its package manager or failing its package checksum, setuid/setgid or capabilities gained, a new uid-0 account.
    package static func looksLikeTampering(_ item: DriftItem) -> Bool {
        if item.fields.contains(DriftField.packageChecksum.rawValue) { return true }
        if item.kind == "file", item.severity == .critical, item.note != nil { return true }
        if item.kind == "user", item.severity == .critical { return true }
        return false
    }

    /// `investigate` when anything looks like tampering (those items are the reasons); else `rebuild` when drift at
    /// or above the policy's rebuild severity, a superseded image or an image past its maximum age; else `none`.
    package var recommendation: Recommendation {
        // A setuid binary that a package installed (grouped under that package) is the package's, not tampering.
        let suspicious = items.flatMap { [$0] + ($0.kind == "package" ? [] : $0.related) }.filter(
            Self.looksLikeTampering)
        if !suspicious.isEmpty { return Recommendation(action: "investigate", reasons: Self.reasons(suspicious)) }
        var reasons = Self.reasons(items.filter { $0.severity >= rebuildAt })
        if rebuildWhenSuperseded, let newer = lifecycle.supersededBy {
            reasons.append("image superseded: a newer baseline of this image family exists (\(newer))")
        }
        if maximumAgeDays > 0, let age = lifecycle.ageDays, age > maximumAgeDays {
            reasons.append("image is \(age) days old, older than the policy's maximum of \(maximumAgeDays) days")
        }
        return Recommendation(action: reasons.isEmpty ? "none" : "rebuild", reasons: reasons)
    }

    /// Builds the report from two verified manifests: the comparison, the image check, the policy, the grouping.
    package static func compare(
        baseline: ManifestReader, host: ManifestReader, generated: String, tool: String,
        policy: Policy = DefaultPolicy.policy, allowlist: LiveAllowlist = LiveAllowlist()
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
        var allowed = policy.allowlist
        allowed.merge(allowlist)
        let (kept, allowedCount) = allowed.filter(found, baselineIsLive: baseline.header.live)
        statistics.allowed = allowedCount
        let outcome = policy.apply(to: kept)
        statistics.ignored = outcome.ignored
        let rank = { (kind: String) in kindOrder.firstIndex(of: kind) ?? kindOrder.count }
        items += Grouping.group(outcome.items).enumerated().sorted { left, right in
            let (a, b) = (rank(left.element.kind), rank(right.element.kind))
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
        func source(_ reader: ManifestReader) -> ManifestSource {
            ManifestSource(
                path: reader.path, header: reader.header, keyID: reader.keyID, entries: reader.trailer?.entries ?? 0)
        }
        var report = Report(
            baseline: source(baseline), host: source(host), items: items, statistics: statistics,
            generated: generated, tool: tool, policyDigest: PolicyRenderer.digest(policy))
        report.rebuildAt = policy.rebuildAt
        report.maximumAgeDays = policy.maximumAgeDays
        report.rebuildWhenSuperseded = policy.rebuildWhenSuperseded
        return report
    }
}
