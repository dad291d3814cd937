/// The last line of a manifest: proves the manifest is complete and says how many entries and errors it holds.
package struct ManifestTrailer: Equatable, Sendable {
    package static let marker = "driftcheck-manifest"
    package var entries: Int
    package var errors: Int
    /// File hashes taken from the previous manifest instead of read again.
    package var reused = 0
}
