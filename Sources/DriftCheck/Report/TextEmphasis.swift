/// What a piece of a text report stands for, so that the executable can colour it for a terminal. The library never
/// writes terminal control codes; a renderer asks its ``TextReportRenderer/emphasis`` function to mark a piece up.
package enum TextEmphasis: Sendable, Equatable {
    /// A severity's name in an item's line.
    case severity(Severity)
    /// A section heading.
    case heading
    /// Something an operator must not miss (an image mismatch, an `investigate` recommendation).
    case alarm
    /// A `rebuild` recommendation.
    case strong
}
