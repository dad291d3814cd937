/// What a manifest is for, recorded in its header so that one cannot stand in for the other: a host's own manifest
/// replayed as the baseline, or a clean baseline replayed as a host's manifest to hide its drift.
package enum ManifestRole: String, Sendable {
    /// Made by `driftcheck baseline` at image build time.
    case baseline
    /// Made by `driftcheck scan` or `check` on a host.
    case host
}
