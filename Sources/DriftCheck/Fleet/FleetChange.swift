/// A change hosts of one image made, with the same result on each, and what to do about it.
package struct FleetChange: Sendable {
    package var image: String
    /// What was changed; for ``FleetVerdict/variesPerHost`` the slot shared by hosts that each set their own value.
    package var slot: HostChange.Slot
    package var title: String
    /// The value the change sets ("various" when it varies per host).
    package var result: String
    /// Hex SHA-256 of the result (empty when it varies per host).
    package var identity: String
    package var verdict: FleetVerdict
    /// The hosts, as indices into the view's hosts (in name order).
    package var hostIndices: [Int32]
    let names: HostNames
    /// The hosts' names, in order.
    package var hosts: [String] { hostIndices.map { names.names[Int($0)] } }
    /// The number of distinct results among `hosts` (1 unless it varies per host).
    package var values: Int
    /// When the first of these hosts first reported it.
    package var firstSeen: String?
    package var severity: Severity
    package var related: Int
    /// The configuration-management tool that owns it (verdict `managed`).
    package var managedBy: String? = nil
}

/// The names of the view's hosts, shared by every change that lists hosts by index.
final class HostNames: Sendable {
    let names: [String]
    init(_ names: [String]) { self.names = names }
}

/// A change a host reported before and no longer does.
package struct ResolvedChange: Sendable {
    package var host: String
    package var image: String
    package var title: String
    package var result: String
    package var firstSeen: String
    package var lastSeen: String
    /// The first report without it.
    package var goneBy: String
}

/// How many of an image's hosts reported drift on one day (each host's last report of that day).
package struct TimelineDay: Sendable {
    package var day: String
    package var clean: Int
    package var drifted: Int
    package var incident: Int
}
