/// Where a host stands in the fleet view, the first that applies.
package enum HostState: String, Sendable, CaseIterable {
    /// A report of this host does not verify with a trusted key, or its reports are signed by different keys.
    case unverified
    /// Its newest report has drift that looks like tampering.
    case incident
    /// Its newest report is older than the fleet's `--stale-after`: the host went quiet.
    case stale
    /// Its newest report has drift.
    case drifted
    /// Its newest report has no drift.
    case clean
}
