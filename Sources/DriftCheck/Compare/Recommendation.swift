/// What to do about a host's drift, as the compare stage decides it once for every renderer.
package struct Recommendation: Sendable, Equatable {
    /// The action recommended.
    package enum Action: String, Sendable, CaseIterable {
        /// Nothing at or above the rebuild severity drifted and the image is current.
        case none
        /// The host is no longer its image, or its image is out of date: rebuild it from the image.
        case rebuild
        /// The drift looks like tampering: keep the host for forensics, then rebuild it.
        case investigate
    }

    package var action: Action
    /// The items (or facts) that triggered the action.
    package var reasons: [String]
}
