import ArgumentParser
import DriftCheck
import DriftCheckCollector
import Glibc

/// Enrollment tokens: create, list, revoke. Rotation is create, hand the new one to the image build, revoke the old.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Make, list and revoke enrollment tokens (rotate: create a new one, then revoke the old).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token and print it once on standard output (the store keeps only its SHA-256).")

        @OptionGroup var store: StoreOption

        @Option(name: .long, help: ArgumentHelp("Expire after this long: 3600, 90m, 36h, 30d.", valueName: "AGE"))
        var expires: String?

        @Option(name: .long, help: "A note: what the token is for (e.g. the image pipeline).")
        var note = ""

        func validate() throws {
            if let expires, TrustRoots.seconds(parsing: expires) == nil {
                throw ValidationError("--expires: expected a duration such as 3600, 90m, 36h or 30d")
            }
        }

        func run() async throws {
            let made = try await CollectorAdministration.createToken(
                store: store.store, expiresIn: expires.flatMap(TrustRoots.seconds(parsing:)), note: note,
                logger: store.logger)
            print(made.token)
            standardError("driftcheck-collector: token \(made.id) created; it is not shown again")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens: id, state, created, expires, note.")

        @OptionGroup var store: StoreOption

        func run() async throws {
            for line in try await CollectorAdministration.listTokens(store: store.store, logger: store.logger) {
                print(line)
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by id: enrolled hosts keep working, new enrollments need another token.")

        @OptionGroup var store: StoreOption

        @Argument(help: "The token's id (token list).")
        var id: String

        func run() async throws {
            try await CollectorAdministration.revokeToken(store: store.store, id: id, logger: store.logger)
        }
    }
}

/// Enrolled hosts: list, forget.
struct HostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts", abstract: "List enrolled hosts, or release one from its pinned key.",
        subcommands: [List.self, Forget.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List hosts: name, key id, enrolled, newest report.")

        @OptionGroup var store: StoreOption

        func run() async throws {
            for line in try await CollectorAdministration.listHosts(store: store.store, logger: store.logger) {
                print(line)
            }
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a host from its pinned key, with its reports: it may enroll again with a new key.")

        @OptionGroup var store: StoreOption

        @Argument(help: "The host's name.")
        var name: String

        func run() async throws {
            try await CollectorAdministration.forgetHost(store: store.store, name: name, logger: store.logger)
        }
    }
}
