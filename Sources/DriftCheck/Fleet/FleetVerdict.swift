/// What to do about a change that hosts of one image made, safety first.
package enum FleetVerdict: String, Sendable, CaseIterable {
    /// The same change that looks like tampering, on several hosts: a fleet incident. Never promoted.
    case incident
    /// A change that looks like tampering, on one host: investigate that host, then rebuild it.
    case investigate
    /// Enough hosts made the same change with the same result, and none of it looks like tampering: bake it into
    /// the next image.
    case promote
    /// Enough hosts changed the same name, each to its own value: per-instance configuration, which belongs in
    /// boot-time templating or in the policy, not in the image.
    case variesPerHost = "varies-per-host"
    /// Only a few hosts made it: rebuild those hosts.
    case snowflake
    /// A configuration-management tool the policy names owns it (`managed:`): that tool's work, neither to bake
    /// into the image nor a reason to rebuild.
    case managed
}
