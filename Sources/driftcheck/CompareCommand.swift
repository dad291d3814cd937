import ArgumentParser
import DriftCheck

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a host's manifest with its image's baseline and report the drift.",
        discussion: """
            Both manifests are verified against the trusted keys before either is read; a manifest that does not \
            verify is never compared (exit 3). Exits 1 when drift at or above --fail-on was found, 0 otherwise.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .long, help: ArgumentHelp("The image's signed baseline manifest.", valueName: "FILE"))
    var baseline: String

    @Option(name: .long, help: ArgumentHelp("The host's signed manifest.", valueName: "FILE"))
    var host: String

    @Option(name: .long, help: ArgumentHelp("A trusted public key (PEM); repeat for several.", valueName: "PUBKEY"))
    var pubkey: [String] = []

    @Option(name: .long, help: "Report format.")
    var format: Format = .text

    @Option(
        name: .long,
        help: ArgumentHelp("Write the report to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Lowest severity that makes the exit code 1: critical, high, medium, low or info.", valueName: "SEVERITY"))
    var failOn: String = "info"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Ports and kernel modules a live host may have that its image baseline cannot (lines: port|module GLOB).",
            valueName: "FILE"))
    var allowlist: String?

    func run() throws {
        guard let threshold = Severity(name: failOn) else {
            throw ValidationError("--fail-on must be one of critical, high, medium, low, info")
        }
        var comparison = ManifestComparison(baselinePath: baseline, hostPath: host, trustedKeyPaths: pubkey)
        comparison.allowlistPath = allowlist
        let report = try comparison.run()
        let bytes: [UInt8]
        switch format {
        case .json: bytes = JSONReportRenderer.render(report)
        case .text:
            let colour = out == nil && Terminal.stdoutWantsColour
            bytes = Array(TextReportRenderer(colour: colour).render(report).utf8)
        }
        if let out {
            try AtomicOutput.write(bytes, to: out)
        } else {
            try Terminal.writeOutput(bytes)
        }
        if report.fails(at: threshold) { throw ExitCode(1) }
    }
}
