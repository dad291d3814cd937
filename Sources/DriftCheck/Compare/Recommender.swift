/// Decides what to do about a host's drift: `investigate` when anything looks like tampering (those items are the
/// reasons); else `rebuild` when drift at or above the rebuild severity that no configuration-management tool owns,
/// a superseded image or an image past its
/// maximum age; else `none`.
package enum Recommender {
    private static let maximumReasons = 50

    /// The reason line of one item: "high: file /etc/ssh/sshd_config modified (content, size)".
    static func reason(_ item: DriftItem) -> String {
        let fields = item.fields.isEmpty ? "" : " (" + item.fields.names.joined(separator: ", ") + ")"
        let note = item.note.map { ": \($0)" } ?? ""
        return "\(item.severity.name): \(item.kind) \(TerminalText.escape(item.name)) \(item.change.rawValue)"
            + "\(fields)\(note)"
    }

    private static func reasons(_ items: [DriftItem]) -> [String] {
        var reasons = items.prefix(maximumReasons).map(reason)
        if items.count > maximumReasons { reasons.append("… and \(items.count - maximumReasons) more items") }
        return reasons
    }

    /// The recommendation for the (grouped) items of one comparison.
    package static func recommend(_ items: [DriftItem], rules: RebuildRules, lifecycle: ImageLifecycle)
        -> Recommendation
    {
        let suspicious = items.flatMap(\.tamperingEvidence)
        if !suspicious.isEmpty { return Recommendation(action: .investigate, reasons: reasons(suspicious)) }
        // What a configuration-management tool owns is that tool's work: never a reason to rebuild.
        var reasons = reasons(
            items.filter { $0.severity >= rules.severity && $0.managedBy == nil }.flatMap { item in
                // What raised an owner to its severity is a reason of its own.
                [item] + item.related.filter { item.shouldShow($0) && $0.severity >= rules.severity }
            })
        if rules.whenSuperseded, let newer = lifecycle.supersededBy {
            reasons.append("image superseded: a newer baseline of this image family exists (\(newer))")
        }
        if rules.maximumAgeDays > 0, let age = lifecycle.ageDays, age > rules.maximumAgeDays {
            reasons.append("image is \(age) days old, older than the policy's maximum of \(rules.maximumAgeDays) days")
        }
        return Recommendation(action: reasons.isEmpty ? .none : .rebuild, reasons: reasons)
    }
}
