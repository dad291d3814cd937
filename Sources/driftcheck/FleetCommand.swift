import ArgumentParser
import DriftCheck

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Summarise the latest report of every host, per image: promote common changes, rebuild snowflakes.",
        discussion: """
            Reads every HOST-TIME.report.json in REPORTS_DIR (and its immediate subdirectories, e.g. one per host) \
            and keeps each host's newest. A change made by at least half of an image's hosts (and at least two) is \
            marked promote: bake it into the next image; a change made by fewer is a snowflake: rebuild those hosts.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, html
    }

    @Argument(help: ArgumentHelp("Directory of JSON reports.", valueName: "REPORTS_DIR"))
    var directory: String = "reports"

    @Option(name: .long, help: "Output format: text, json or html (a self-contained page).")
    var format: Format = .text

    @Option(
        name: .long, help: ArgumentHelp("Write to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var out: String?

    @OptionGroup var permissions: OutputPermissions

    func run() throws {
        let view = try FleetView.load(directory)
        let bytes: [UInt8]
        switch format {
        case .text: bytes = Array(FleetRenderer.text(view).utf8)
        case .json: bytes = FleetRenderer.json(view)
        case .html: bytes = FleetRenderer.html(view, generated: HostInfo.now)
        }
        if let out {
            try AtomicOutput.write(bytes, to: out, mode: permissions.mode)
        } else {
            try Terminal.writeOutput(bytes)
        }
    }
}
