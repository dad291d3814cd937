import ArgumentParser
import DriftCheck

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a manifest's signature and that it is complete and well formed.",
        discussion: """
            Exits 0 when FILE.sig verifies with one of the trusted keys and every line of FILE parses; 3 when the \
            signature is missing or does not verify; 2 when the manifest is malformed.
            """
    )

    @Argument(help: ArgumentHelp("The manifest.", valueName: "FILE"))
    var file: String

    @Option(name: .long, help: ArgumentHelp("A trusted public key (PEM); repeat for several.", valueName: "PUBKEY"))
    var pubkey: [String] = []

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        let source = try ManifestVerification.verify(file, trustedKeyPaths: pubkey)
        guard !quiet else { return }
        let image = source.header.image ?? "(none)"
        let name = TerminalText.escape(Array(file.utf8))
        let host = TerminalText.escape(Array(source.header.host.utf8))
        print(
            "\(name): signature OK (key \(source.keyID)), image \(TerminalText.escape(Array(image.utf8))), "
                + "host \(host), \(source.entries) entries, scanned \(TerminalText.clean(source.header.time))")
    }
}
