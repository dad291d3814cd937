import ArgumentParser
import DriftCheck
import Glibc

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract:
            "Judge the fleet from its hosts' signed reports: what to promote, what to rebuild, what to investigate.",
        discussion: """
            Reads every HOST-TIME.report.json in REPORTS_DIR (and its immediate subdirectories, e.g. one per host) \
            and verifies each against the trusted host keys (--host-pubkey); a report that does not verify marks \
            its host unverified, never clean, and the exit code is 3. Per image, a change is identified by its \
            result (the version, digest, mode … it sets): the same change with the same result on at least \
            --promote-share of the image's hosts (and --promote-minimum) is to be baked into the next image \
            (promote), unless any host rates it as tampering: then it is an incident, never promoted. The same name \
            set to a different value on enough hosts varies per host (per-instance configuration); a change on fewer \
            hosts is a snowflake (rebuild them). A host whose newest report is older than --stale-after is stale. \
            From each host's kept reports: since when it drifted, and which changes went away (resolved).

            EXIT CODES: 0 the view was made; 2 usage or I/O error; 3 a report did not verify or a host reported \
            under two keys.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, html
    }

    @Argument(help: ArgumentHelp("Directory of JSON reports.", valueName: "REPORTS_DIR"))
    var directory: String = "reports"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A host public key (PEM) trusted to sign reports, or a directory of them (*.pub); repeat for several.",
            valueName: "PUBKEY"))
    var hostPubkey: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A host whose newest report is older than this is stale: seconds or 90m, 36h, 7d (default: 2d).",
            valueName: "AGE"),
        transform: MaximumAge.parse)
    var staleAfter: MaximumAge?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Share of an image's hosts, in percent, that must make a change to promote it, 1 to 100 (default: 50).",
            valueName: "PERCENT"),
        transform: Percentage.parse)
    var promoteShare: Percentage?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Fewest hosts that must make a change to promote it (default: 2).", valueName: "N"),
        transform: HostCount.parse)
    var promoteMinimum: HostCount?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Judge as of this time (YYYY-MM-DDTHH:MM:SSZ) instead of now, e.g. to replay a past view.",
            valueName: "TIME"),
        transform: Instant.parse)
    var at: Instant?

    @Option(
        name: .customLong("host"),
        help: ArgumentHelp(
            "Also list every change in this host's kept reports, with when it was first and last seen; repeatable.",
            valueName: "NAME"))
    var historyHosts: [String] = []

    @Option(name: .long, help: "Output format: text, json (for automation) or html (a self-contained page).")
    var format: Format = .text

    @Option(
        name: .long, help: ArgumentHelp("Write to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also write the changes the fleet promotes for --image into DIR, a bake directory an image build "
                + "applies in one step (apply.sh, files/, packages.txt, README.md).",
            valueName: "DIR"))
    var bake: String?

    @Option(name: .long, help: ArgumentHelp("The image whose promoted changes --bake writes.", valueName: "ID"))
    var image: String?

    @OptionGroup var permissions: OutputPermissions

    func validate() throws {
        if (bake == nil) != (image == nil) { throw ValidationError("--bake and --image go together") }
    }

    func run() throws {
        var settings = FleetSettings(now: at?.seconds ?? Int(time(nil)))
        try settings.trustHostKeys(at: hostPubkey)
        if let staleAfter { settings.staleAfter = staleAfter.seconds }
        if let promoteShare { settings.promotePercent = promoteShare.value }
        if let promoteMinimum { settings.promoteMinimum = promoteMinimum.value }
        settings.historyOf = Set(historyHosts)
        let view = try FleetView.load(directory, settings: settings)
        let bytes: [UInt8]
        switch format {
        case .text: bytes = Array(FleetTextRenderer.render(view).utf8)
        case .json: bytes = FleetJSONRenderer.render(view)
        case .html: bytes = FleetHTMLRenderer.render(view)
        }
        if let out {
            try AtomicOutput.write(bytes, to: out, mode: permissions.mode)
        } else {
            try Terminal.writeOutput(bytes)
        }
        if let bake, let image {
            var leftOut: [String] = []
            let items = try PromotedItems.items(
                in: directory, view: view, image: image, settings: settings, leftOut: &leftOut)
            var plan = BakePlan(items: items)
            plan.leftOut = leftOut + plan.leftOut
            try BakeDirectory.write(
                plan, to: bake, source: "the fleet's promote list for image \(image) in \(directory)")
            Terminal.writeError(
                "driftcheck: wrote \(bake): \(items.count) promoted changes, \(plan.byHand.count) files to copy by hand"
            )
        }
        if view.hasUnverified {
            if hostPubkey.isEmpty {
                Terminal.writeError("driftcheck: no --host-pubkey given, so no report could be verified")
            }
            throw ExitCode(3)
        }
    }
}
