import ArgumentParser
import DriftCheck

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one drifted item in full: everything grouped under it, with every changed field.",
        discussion: """
            Compares the host manifest with its baseline exactly as compare does (both verified first), then prints \
            the items named: a path, a package, service, account or other record name, optionally after its kind \
            (`driftcheck show --host H.jsonl package tcpdump`). An item grouped under another is shown in its place, \
            under the item it is grouped under. \
            Exits 2 when nothing drifted by that name.
            """
    )

    @Argument(help: ArgumentHelp("[KIND] NAME: the item's path or name, after its kind if given.", valueName: "ITEM"))
    var item: [String]

    @OptionGroup var manifests: ComparedManifests

    @OptionGroup var judgement: JudgementOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...2).contains(item.count) else { throw ValidationError("give the item as [KIND] NAME") }
        if item.count == 2, !EntryKind.reportOrder.contains(EntryKind(item[0])) {
            throw ValidationError("unknown kind '\(item[0])'")
        }
    }

    func run() throws {
        let report = try judgement.comparison(
            baseline: manifests.baseline, host: manifests.host, logger: logging.logger()
        ).run()
        let kind = item.count == 2 ? EntryKind(item[0]) : nil
        guard let shown = report.showing(kind: kind, name: Array(item[item.count - 1].utf8)) else {
            throw DriftCheckError(.usage, path: manifests.host, "no drifted item named \(item.joined(separator: " "))")
        }
        let renderer = TerminalColour.textRenderer(colour: Terminal.stdoutWantsColour, details: true)
        try Terminal.writeOutput(Array(renderer.renderItems(shown).utf8))
    }
}
