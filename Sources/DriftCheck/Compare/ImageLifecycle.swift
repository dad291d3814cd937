/// Facts about the host's image beyond the two manifests: whether a newer baseline of its image family exists, and
/// how old its image is. Found from the baselines directory and the clock.
package struct ImageLifecycle: Sendable {
    /// The id of a newer baseline of the same image family, when there is one.
    package var supersededBy: String? = nil
    /// Days since the baseline was made.
    package var ageDays: Int? = nil

    package init() {}
}
