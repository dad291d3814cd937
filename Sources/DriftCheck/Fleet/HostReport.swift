/// What the fleet keeps of one verified report: who, when, which image, what it recommends, and its changes.
package struct HostReport: Sendable {
    package var host: String
    package var image: String
    /// When the report was made (ISO 8601 UTC, as written) and as seconds since the epoch.
    package var generated: String
    package var time: Int
    package var action: Recommendation.Action
    package var supersededBy: String?
    package var counts: [Severity: Int]
    package var changes: [HostChange]
    /// The id of the host key that signed it.
    package var signer: String
    package var path: String

    /// Reads a parsed report; the error says what is missing. `described`: see ``HostChange/init(item:described:)``.
    init(_ report: JSONValue, path: String, signer: String, described: inout [[UInt8]: String])
        throws(DriftCheckError)
    {
        guard report["schema"]?.stringValue == Report.schema, let host = report["host"]?.stringValue,
            let generated = report["generated"]?.stringValue
        else { throw DriftCheckError(.malformed, path: path, "not a \(Report.schema) report") }
        guard let time = UTCTime.seconds(generated) else {
            throw DriftCheckError(
                .malformed, path: path, "its time \"\(TerminalText.clean(generated))\" is not UTC ISO 8601")
        }
        let actionText = report["recommendation"]?["action"]?.stringValue ?? "none"
        guard let action = Recommendation.Action(rawValue: actionText) else {
            throw DriftCheckError(
                .malformed, path: path, "names an unknown recommendation \"\(TerminalText.clean(actionText))\"")
        }
        var counts: [Severity: Int] = [:]
        for severity in Severity.allCases {
            // Clamped, so that sums and scores cannot overflow.
            counts[severity] = Int(min(max(report["summary"]?[severity.name]?.integerValue ?? 0, 0), 1_000_000_000))
        }
        var changes: [HostChange] = []
        if case .array(let items)? = report["drift"] {
            for item in items {
                guard let change = HostChange(item: item, described: &described) else {
                    throw DriftCheckError(.malformed, path: path, "a drift item without kind, name and change")
                }
                changes.append(change)
            }
        }
        self.host = host
        image = report["image"]?.stringValue ?? "(none)"
        self.generated = generated
        self.time = time
        self.action = action
        supersededBy = report["superseded_by"]?.stringValue
        self.counts = counts
        self.changes = changes
        self.signer = signer
        self.path = path
    }

    /// A ranking score: critical items weigh most.
    var score: Int {
        (counts[.critical] ?? 0) * 1000 + (counts[.high] ?? 0) * 100 + (counts[.medium] ?? 0) * 10 + (counts[.low] ?? 0)
    }
}
