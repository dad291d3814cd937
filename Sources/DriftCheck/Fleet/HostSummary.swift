/// The latest report of one host, as the fleet view reads it from a JSON report.
package struct HostSummary: Sendable {
    package var host: String
    package var image: String
    package var generated: String
    package var action: Recommendation.Action
    package var supersededBy: String?
    package var imageMismatch: Bool
    package var counts: [Severity: Int]
    /// The host's top-level drift items.
    package var changes: [HostChange]
    package var path: String

    /// A ranking score: critical items weigh most.
    package var score: Int {
        (counts[.critical] ?? 0) * 1000 + (counts[.high] ?? 0) * 100 + (counts[.medium] ?? 0) * 10 + (counts[.low] ?? 0)
    }

    package var isClean: Bool { changes.isEmpty }
}
