import ArgumentParser
import DriftCheck

/// The report formats `compare` and `check` write.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, ndjson, prometheus, junit

    /// The report rendered in this format.
    func render(_ report: Report, failOn: Severity, colour: Bool) -> [UInt8] {
        switch self {
        case .text: Array(TextReportRenderer(colour: colour).render(report).utf8)
        case .json: JSONReportRenderer.render(report)
        case .ndjson: NDJSONReportRenderer.render(report)
        case .prometheus: PrometheusReportRenderer.render(report)
        case .junit: JUnitReportRenderer.render(report, failOn: failOn)
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
        }
    }
}

/// Options shared by `compare` and `check`: trust, policy, gate.
struct JudgementOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A trusted public key (PEM); repeat for several.", valueName: "PUBKEY"))
    var pubkey: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Policy file (YAML); default: the built-in policy (driftcheck policy show).", valueName: "FILE"))
    var policy: String?

    @Option(name: .long, help: ArgumentHelp("Where signed baselines live.", valueName: "DIR"))
    var baselines: String = "baselines"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Ports and kernel modules a live host may have that its image baseline cannot (lines: port|module GLOB).",
            valueName: "FILE"))
    var allowlist: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Lowest severity that makes the exit code 1: critical, high, medium, low or info.", valueName: "SEVERITY"))
    var failOn: String = "info"

    func threshold() throws -> Severity {
        guard let threshold = Severity(name: failOn) else {
            throw ValidationError("--fail-on must be one of critical, high, medium, low, info")
        }
        return threshold
    }

    func comparison(baseline: String?, host: String) -> ManifestComparison {
        var comparison = ManifestComparison(baselinePath: baseline, hostPath: host, trustedKeyPaths: pubkey)
        comparison.allowlistPath = allowlist
        comparison.policyPath = policy
        comparison.baselinesDirectory = baselines
        return comparison
    }
}
