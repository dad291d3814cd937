import ArgumentParser
import DriftCheck
import Logging

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Scan this host, compare it with its image's baseline, keep the results: the command for cron and timers.",
        discussion: """
            Under a lock in the reports directory (an overlapping run fails at once with exit 2, or waits with \
            --wait), scans the root, \
            writes the signed manifest and the signed JSON report there as HOST-TIME.manifest.jsonl and \
            HOST-TIME.report.json, \
            compares with the newest verified baseline for the host's image id in the baselines directory, and keeps \
            the newest --keep of each. Quiet unless there is drift at or above --fail-on (then the text report goes to \
            standard output and the exit code is 1) or an error (exit 2 or 3).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The root filesystem to scan.", valueName: "DIR"))
    var root: String = "/"

    @Option(
        name: .long,
        help: ArgumentHelp("The image this host was built from (default: the root's stamp).", valueName: "ID"))
    var image: String?

    @Option(name: .long, help: ArgumentHelp("Where manifests and reports are written.", valueName: "DIR"))
    var reports: String = "reports"

    @Option(
        name: .long,
        help: ArgumentHelp("How many manifests and reports to keep, 1 to 100000 (default: 10).", valueName: "N"),
        transform: KeptRuns.parse)
    var keep: KeptRuns = KeptRuns(checked: 10)

    @Flag(name: .long, help: "When another check holds the lock, wait for it to finish instead of failing (exit 2).")
    var wait = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also send the signed report to the collector at URL (http:// or https://); unsent reports wait in "
                + "REPORTS/.spool (the newest --keep) for the next run.",
            valueName: "URL"),
        transform: { text throws in try CollectorURL(parsing: text) })
    var push: CollectorURL?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The collector's enrollment token (mode 0600): used once, when the collector does not know this host yet.",
            valueName: "FILE"))
    var enrollTokenFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Trusted CA certificates (PEM) for an https collector, instead of the system's.", valueName: "FILE"))
    var caFile: String?

    @OptionGroup var scanning: ScanningOptions

    @OptionGroup var judgement: JudgementOptions

    func run() throws {
        let threshold = judgement.failOn
        let logging = scanning.logging
        let logger = logging.logger()
        let image = try self.image ?? ImageStamp.read(root: root)
        let policy = try PolicyLoader.load(judgement.policy)
        var scan = scanning.manifestScan(root: root, image: image, out: "", policy: policy)
        scan.onReuseRefused = { error in
            logger.warning("did not reuse the previous manifest, hashing every file: \(error)")
        }
        var check = HostCheck(
            scan: scan, comparison: judgement.comparison(baseline: nil, host: "", logger: logger),
            reportsDirectory: reports)
        check.keep = keep.value
        check.forceFull = scanning.full
        check.waitForLock = wait
        check.onWaiting = { logger.notice("waiting for another driftcheck check to finish") }
        check.outputMode = scanning.permissions.mode
        check.fullEveryRuns = policy.fullRehashEveryRuns
        check.fullEveryDays = policy.fullRehashEveryDays
        if let push {
            var settings = PushSettings(url: push)
            settings.caFile = caFile
            settings.enrollTokenPath = enrollTokenFile
            check.push = settings
        }
        let outcome = try logging.withProgress { progress in
            check.scan.options.progress = progress
            return try check.run()
        }
        let counts = "\(outcome.statistics.entries) entries, \(outcome.statistics.reused) hashes reused"
        logger.debug("wrote \(outcome.manifestPath) and \(outcome.reportPath); \(counts)")
        let refused = outcome.push.map { report(push: $0, logger: logger) } ?? false
        if outcome.report.fails(at: threshold) {
            try Terminal.writeOutput(
                Array(
                    TerminalColour.textRenderer(colour: Terminal.stdoutWantsColour, details: judgement.details)
                        .render(outcome.report).utf8))
            throw ExitCode(1)
        }
        if refused { throw ExitCode(3) }
    }

    func validate() throws {
        if push == nil && (enrollTokenFile != nil || caFile != nil) {
            throw ValidationError("--enroll-token-file and --ca-file go with --push")
        }
    }

    /// Says what the push did: quiet when every report reached the collector. True when the collector refused a
    /// report for good (exit 3).
    private func report(push summary: PushSummary, logger: Logger) -> Bool {
        if summary.enrolled { logger.notice("enrolled this host with \(push?.description ?? "the collector")") }
        if summary.dropped > 0 {
            logger.warning("dropped the \(summary.dropped) oldest unsent reports from the push spool (--keep)")
        }
        for line in summary.refused {
            Terminal.writeError("driftcheck: the collector refused \(line)")
        }
        if let failure = summary.failure {
            Terminal.writeError(
                "driftcheck: push stopped: \(failure); \(summary.pending) reports wait in \(reports)/.spool "
                    + "for the next run")
        } else {
            logger.debug("pushed \(summary.sent) reports")
        }
        return !summary.refused.isEmpty
    }
}
