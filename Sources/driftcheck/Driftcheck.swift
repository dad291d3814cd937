import ArgumentParser
import DriftCheck
import Glibc

@main
struct Driftcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "driftcheck",
        abstract: "Prove that a host is still exactly the image it was built from.",
        discussion: """
            driftcheck fingerprints a root filesystem into a signed manifest (Ed25519), compares a host's manifest \
            with the baseline of its image, and reports every difference with a severity and a recommendation.

            EXIT CODES
              0  no drift at or above --fail-on (or the command succeeded)
              1  drift at or above --fail-on
              2  usage error, I/O error, or malformed input (the message names the file)
              3  a signature is missing, invalid or untrusted, or a host manifest
                 is a baseline, another host's (--expect-host) or too old (--max-age)
            """,
        version: HostInfo.toolVersion,
        subcommands: [
            KeygenCommand.self, BaselineCommand.self, ScanCommand.self, VerifyCommand.self, CompareCommand.self,
            ShowCommand.self, CheckCommand.self, PolicyCommand.self, FleetCommand.self, ServeCommand.self,
        ]
    )

    /// Runs the command and maps every outcome to the documented exit codes (ArgumentParser would use 1 and 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
            Glibc.exit(0)
        } catch let error as DriftCheckError {
            Terminal.writeError("driftcheck: \(error)")
            Glibc.exit(error.exitCode)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            // One line, like every other error: what was wrong and with which option; --help has the rest.
            let message = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            Terminal.writeError("driftcheck: \(TerminalText.clean(message))")
            Glibc.exit(2)
        }
    }
}
