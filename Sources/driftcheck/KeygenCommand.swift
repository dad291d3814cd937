import ArgumentParser
import DriftCheck

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 signing key pair.",
        discussion: """
            Writes PREFIX.key (PEM PKCS#8, mode 0600) and PREFIX.pub (PEM SubjectPublicKeyInfo). Existing files are \
            never overwritten. Keys made by `openssl genpkey -algorithm ed25519` work just as well.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Path prefix of the key files.", valueName: "PREFIX"))
    var out: String

    func run() throws {
        let keyID = try KeyFiles.generate(prefix: out)
        Terminal.writeError("wrote \(out).key and \(out).pub (key id \(keyID))")
    }
}
