import ArgumentParser
import DriftCheck

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Make the signed manifest of a host (or of any root filesystem).",
        discussion: """
            Records every filesystem object under the root without following symbolic links or opening FIFOs, \
            sockets or devices, and stays on the root's filesystem unless --cross-mounts is given. The image id \
            comes from --image, else from /etc/driftcheck/image-id inside the root.
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp("The root filesystem to scan; paths are recorded relative to it.", valueName: "DIR"))
    var root: String = "/"

    @Option(
        name: .long,
        help: ArgumentHelp("The image this host was built from (default: the root's stamp).", valueName: "ID"))
    var image: String?

    @OptionGroup var scan: ScanOptions

    func run() throws {
        let image = try self.image ?? ImageStamp.read(root: root)
        try scan.run(root: root, image: image)
    }
}
