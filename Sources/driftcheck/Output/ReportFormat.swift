import ArgumentParser
import DriftCheck
import Logging

/// The report formats `compare` and `check` write.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, ndjson, prometheus, junit, html

    /// The report rendered in this format.
    func render(_ report: Report, failOn: Severity, colour: Bool, details: Bool = false) -> [UInt8] {
        switch self {
        case .text: Array(TerminalColour.textRenderer(colour: colour, details: details).render(report).utf8)
        case .json: JSONReportRenderer.render(report)
        case .ndjson: NDJSONReportRenderer.render(report)
        case .prometheus: PrometheusReportRenderer.render(report)
        case .junit: JUnitReportRenderer.render(report, failOn: failOn)
        case .html: HTMLReportRenderer.render(report)
        }
    }

    /// The usual file extension.
    var fileExtension: String {
        switch self {
        case .text: "txt"
        case .json: "json"
        case .ndjson: "ndjson"
        case .prometheus: "prom"
        case .junit: "xml"
        case .html: "html"
        }
    }
}
