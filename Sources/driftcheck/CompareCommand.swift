import ArgumentParser
import DriftCheck

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a host's manifest with its image's baseline and report the drift.",
        discussion: """
            Both manifests are verified against the trusted keys before either is read; a manifest that does not \
            verify is never compared (exit 3). Without --baseline, the newest verified baseline for the host's image \
            id is taken from the baselines directory. The policy decides what to ignore and how severe a change is. \
            Exits 1 when drift at or above --fail-on was found, 0 otherwise. With --out and --key, the report is \
            signed like a manifest (FILE.sig): `driftcheck fleet` counts only reports that verify with a trusted host \
            key.
            """
    )

    @OptionGroup var manifests: ComparedManifests

    @Option(
        name: .long, help: "Report format: text, json, ndjson, prometheus, junit or html (one self-contained page).")
    var format: ReportFormat = .text

    @Option(
        name: .long,
        help: ArgumentHelp("Write the report to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Sign the report written with --out with this private key (the host's): FILE.sig beside it.",
            valueName: "KEY"))
    var key: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write this host's changes, less anything tampering-grade or managed, into DIR: a bake directory "
                + "an image build applies in one step (apply.sh, files/, packages.txt, README.md).",
            valueName: "DIR"))
    var bake: String?

    @OptionGroup var judgement: JudgementOptions

    @OptionGroup var permissions: OutputPermissions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if key != nil && out == nil { throw ValidationError("--key signs the report written with --out; give --out") }
    }

    func run() throws {
        let threshold = judgement.failOn
        let report = try judgement.comparison(
            baseline: manifests.baseline, host: manifests.host, logger: logging.logger()
        ).run()
        let colour = out == nil && Terminal.stdoutWantsColour
        let bytes = format.render(report, failOn: threshold, colour: colour, details: judgement.details)
        if let out, let key {
            try DetachedSignature.writeSigned(bytes, to: out, keyPath: key, mode: permissions.mode)
        } else if let out {
            if format == .json {
                logging.logger().warning(
                    "the report is not signed (no --key): driftcheck fleet counts it as unverified")
            }
            try AtomicOutput.write(bytes, to: out, mode: permissions.mode)
        } else {
            try Terminal.writeOutput(bytes)
        }
        if let bake {
            // Nothing of a host that looks tampered with is baked: any of its changes may be the intruder's.
            guard report.recommendation.action != .investigate else {
                throw DriftCheckError(
                    .usage, path: bake,
                    "not written: the host looks tampered with (recommendation investigate); investigate it first")
            }
            let document = try JSONParser.parse(JSONReportRenderer.render(report).dropLast())
            var items: [JSONValue] = []
            if case .array(let drift)? = document["drift"] { items = drift }
            let plan = BakePlan(items: items)
            try BakeDirectory.write(plan, to: bake, source: "the report of host \(report.host.header.host)")
            Terminal.writeError(
                "driftcheck: wrote \(bake): \(items.count - plan.leftOut.count) changes baked, \(plan.leftOut.count) "
                    + "left out, \(plan.byHand.count) files to copy by hand")
        }
        if report.fails(at: threshold) { throw ExitCode(1) }
    }
}
