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

            For a container image, --image-tar reads the filesystem straight from a file, without extracting it \
            or needing root: a flat tar as `docker export` writes it (plain or gzip), an OCI image layout \
            directory, or an OCI layout packed in a tar (`skopeo copy … oci-archive:FILE`). Layers are applied in \
            order with their whiteouts; blobs are checked against their digests. Nothing is written into the \
            image, so stamp it in the image build (or give hosts --image when they scan).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The image's root filesystem.", valueName: "DIR"))
    var root: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A container image file instead of --root: docker export tar, OCI layout (directory or tar).",
            valueName: "FILE"))
    var imageTar: String?

    @Option(name: .long, help: ArgumentHelp("The image id (letters, digits and ._:/@+-).", valueName: "ID"))
    var image: String

    @Flag(name: .long, help: "Do not write the image id into the image's /etc/driftcheck/image-id.")
    var noStamp = false

    @OptionGroup var scan: ScanOptions

    func validate() throws {
        if (root == nil) == (imageTar == nil) { throw ValidationError("give exactly one of --root and --image-tar") }
        guard ImageStamp.isValid(image) else {
            throw ValidationError("--image must be 1–200 characters of letters, digits and ._:/@+-")
        }
    }

    func run() throws {
        if let imageTar {
            try scan.runImage(archive: imageTar, image: image)
            return
        }
        guard let root else { return }
        if !noStamp {
            _ = try KeyFiles.checkPrivateKey(scan.key)
            try ImageStamp.write(image, root: root)
        }
        try scan.run(root: root, image: image, role: .baseline)
    }
}
