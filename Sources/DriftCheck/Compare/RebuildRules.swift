/// The policy's rules for recommending a rebuild (its `rebuild:` section).
package struct RebuildRules: Sendable {
    /// Recommend a rebuild for drift at or above this severity.
    package var severity: Severity = .high
    /// Recommend a rebuild when the image is older than this many days; 0 disables.
    package var maximumAgeDays = 0
    /// Recommend a rebuild when a newer baseline of the same image family exists.
    package var whenSuperseded = true

    package init() {}
}
