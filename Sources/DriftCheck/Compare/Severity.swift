/// How much a drift item matters, from `info` to `critical`. Ordered: `critical` is the greatest.
package enum Severity: Int, Comparable, CaseIterable, Sendable {
    case info, low, medium, high, critical

    /// The lower-case name used in reports and on the command line.
    package var name: String {
        switch self {
        case .info: "info"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    package init?(name: String) {
        guard let match = Severity.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = match
    }

    package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
}
