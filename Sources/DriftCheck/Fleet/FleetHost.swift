/// One host in the fleet view: its state, its newest verified report, and its history.
package struct FleetHost: Sendable {
    /// The image of a host no report of which verified.
    package static let unknownImage = "(unknown)"

    package var name: String
    /// The image its newest verified report names ("(unknown)" when no report of it verified).
    package var image: String
    package var state: HostState
    /// Its newest verified report is older than `--stale-after`.
    package var isStale: Bool
    /// When its newest verified report was made: when it went quiet, if it is stale.
    package var lastReport: String?
    /// The start of the unbroken run of drifted reports that ends with the newest: "drifted since".
    package var driftedSince: String?
    package var action: Recommendation.Action
    package var counts: [Severity: Int]
    package var score: Int
    package var supersededBy: String?
    /// Verified reports read.
    package var reports: Int
    /// Why it is unverified: a report that does not verify, or reports signed by different keys.
    package var problems: [String]
    /// Why it is to be rebuilt, in the order to act on: incident, investigate, snowflake, stale.
    package var rebuildBecause: [String] = []
    /// Every change its kept reports name, with when it was first and last seen; only for the hosts asked for
    /// (`--host`): for all of a large fleet it would be hosts × changes lines.
    package var history: [ChangeHistory] = []
}

/// One change in one host's kept reports: when it was first and last seen, and whether the newest still has it.
package struct ChangeHistory: Sendable {
    package var title: String
    package var result: String
    package var firstSeen: String
    package var lastSeen: String
    package var current: Bool
}
