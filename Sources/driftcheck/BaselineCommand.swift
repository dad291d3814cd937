import ArgumentParser
import DriftCheck

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Make the signed baseline of an image's root filesystem.",
        discussion: """
            Run at image build time (for example as a Packer provisioner step) on the image's root filesystem. \
            Unless --no-stamp is given, the image id is first written into the image at \
            /etc/driftcheck/image-id, so that hosts built from the image know which baseline they belong to; \
            the stamp is part of the baseline.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The image's root filesystem.", valueName: "DIR"))
    var root: String

    @Option(name: .long, help: ArgumentHelp("The image id (letters, digits and ._:/@+-).", valueName: "ID"))
    var image: String

    @Flag(name: .long, help: "Do not write the image id into the image's /etc/driftcheck/image-id.")
    var noStamp = false

    @OptionGroup var scan: ScanOptions

    func run() throws {
        guard ImageStamp.isValid(image) else {
            throw ValidationError("--image must be 1–200 characters of letters, digits and ._:/@+-")
        }
        if !noStamp {
            _ = try KeyFiles.checkPrivateKey(scan.key)
            try ImageStamp.write(image, root: root)
        }
        try scan.run(root: root, image: image, role: .baseline)
    }
}
