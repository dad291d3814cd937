import ArgumentParser
import DriftCheck

struct PolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate a policy file or print the effective policy.",
        subcommands: [Check.self, Show.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy file; errors name the line (exit 2).")

        @Argument(help: ArgumentHelp("The policy file (YAML).", valueName: "FILE"))
        var file: String

        func run() throws {
            let policy = try PolicyLoader.load(file)
            print(
                "\(TerminalText.escape(Array(file.utf8))): OK, \(policy.rules.count) rules in force "
                    + "(digest \(PolicyRenderer.digest(policy)))")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the effective policy (the built-in default, or FILE's rules followed by the defaults).")

        @Option(name: .long, help: ArgumentHelp("A policy file to show combined with the defaults.", valueName: "FILE"))
        var policy: String?

        func run() throws {
            let effective = try PolicyLoader.load(policy)
            try Terminal.writeOutput(Array(PolicyRenderer.yaml(effective).utf8))
            try Terminal.writeOutput(Array("# digest: \(PolicyRenderer.digest(effective))\n".utf8))
        }
    }
}
