/// The result of comparing a host with its baseline, as the compare stage made it: the value every renderer
/// formats. It holds what was decided (items, severities, recommendation); its properties only count and sort.
package struct Report: Sendable {
    package static let schema = "driftcheck-report/1"

    package var baseline: ManifestSource
    package var host: ManifestSource
    /// Top-level items, in report order (kind, then the order the comparison found them).
    package var items: [DriftItem]
    package var statistics: CompareStatistics
    package var generated: String
    package var tool: String
    package var policyDigest: String
    /// The severity at which the policy recommends a rebuild.
    package var rebuildAt: Severity
    package var lifecycle: ImageLifecycle
    package var recommendation: Recommendation

    /// True when the host manifest names a different image than the baseline.
    package var imageMismatch: Bool { baseline.header.image != host.header.image }

    /// Top-level items per kind, in ``EntryKind/reportOrder`` then any other kind alphabetically.
    package var itemsByKind: [(kind: EntryKind, items: [DriftItem])] {
        let kinds = Set(items.map(\.kind))
        let ordered =
            EntryKind.reportOrder.filter(kinds.contains)
            + kinds.subtracting(EntryKind.reportOrder).sorted { $0.name < $1.name }
        return ordered.map { kind in (kind, items.filter { $0.kind == kind }) }
    }

    /// This report narrowed to the items named `name` (of `kind`, when given), each with everything grouped under
    /// it; an item grouped under another is shown in its place under that one. Nil when none drifted.
    package func showing(kind: EntryKind?, name: [UInt8]) -> Report? {
        func named(_ item: DriftItem) -> Bool { item.name == name && (kind.map { $0 == item.kind } ?? true) }
        let shown = items.filter { named($0) || $0.related.contains(where: named) }
        guard !shown.isEmpty else { return nil }
        var narrowed = self
        narrowed.items = shown
        return narrowed
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
}
