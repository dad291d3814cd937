import DriftCheck

/// Colour for a text report on a terminal: ANSI SGR codes for each ``TextEmphasis``. The only place that writes
/// terminal control codes into a report.
enum TerminalColour {
    /// `text` wrapped in the SGR code for `emphasis`.
    @Sendable static func paint(_ text: String, _ emphasis: TextEmphasis) -> String {
        "\u{1B}[\(code(emphasis))m\(text)\u{1B}[0m"
    }

    private static func code(_ emphasis: TextEmphasis) -> String {
        switch emphasis {
        case .severity(.critical), .alarm: "1;31"
        case .severity(.high): "31"
        case .severity(.medium): "33"
        case .severity(.low): "36"
        case .severity(.info): "2"
        case .heading, .strong: "1"
        }
    }

    /// The text renderer, coloured when `colour` is true, listing grouped items when `details` is.
    static func textRenderer(colour: Bool, details: Bool = false) -> TextReportRenderer {
        colour ? TextReportRenderer(details: details, emphasis: paint) : TextReportRenderer(details: details)
    }
}
