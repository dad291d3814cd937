import ArgumentParser
import DriftCheck

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
        let outcome = try logging.withProgress { progress in
            check.scan.options.progress = progress
            return try check.run()
        }
        let counts = "\(outcome.statistics.entries) entries, \(outcome.statistics.reused) hashes reused"
        logger.debug("wrote \(outcome.manifestPath) and \(outcome.reportPath); \(counts)")
        if outcome.report.fails(at: threshold) {
            try Terminal.writeOutput(
                Array(
                    TerminalColour.textRenderer(colour: Terminal.stdoutWantsColour, details: judgement.details)
                        .render(outcome.report).utf8))
            throw ExitCode(1)
        }
    }
}
