import ArgumentParser
import DriftCheck
import DriftCheckCollector
import Glibc

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve: pushes and enrollments in; the fleet page, JSON, metrics and host history out.",
        discussion: """
            POST /api/v1/enroll and /api/v1/reports (hosts: driftcheck check --push URL); GET /fleet (the live \
            page), /api/fleet (as `driftcheck fleet --format json`), /api/hosts, /api/hosts/NAME (history), \
            /api/hosts/NAME/reports/ID (a report as pushed, its signature in Driftcheck-Signature), /metrics \
            (Prometheus), /healthz (alive) and /readyz (the store answers and the fleet is read). Plain HTTP: put \
            TLS in front (nginx; see docs/collector.md). Migrates the store at start.
            """
    )

    @OptionGroup var store: StoreOption

    @Option(
        name: .long,
        help: ArgumentHelp("Address and port to listen on (port 0: any free port).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @Option(name: .long, help: ArgumentHelp("Reports kept per host, 1 to 10000.", valueName: "N"))
    var keep = 24

    @Option(
        name: .long,
        help: ArgumentHelp("A host with no report for this long is stale: 3600, 90m, 36h, 7d.", valueName: "AGE"))
    var staleAfter = "2d"

    @Option(
        name: .long,
        help: ArgumentHelp("Share of an image's hosts, in percent, to promote a change.", valueName: "PERCENT"))
    var promoteShare = 50

    @Option(name: .long, help: ArgumentHelp("Fewest hosts that must make a change to promote it.", valueName: "N"))
    var promoteMinimum = 2

    @Option(
        name: .long, help: ArgumentHelp("The live page reloads itself this often, in seconds.", valueName: "SECONDS"))
    var refresh = 60

    @Option(name: .long, help: ArgumentHelp("Connections held at once, 16 to 65536.", valueName: "N"))
    var maxConnections = 2048

    @Option(
        name: .long,
        help: ArgumentHelp("Write the URL to FILE once listening (scripts that listen on port 0).", valueName: "FILE"))
    var readyFile: String?

    func validate() throws {
        guard (1...10_000).contains(keep) else { throw ValidationError("--keep: expected 1 to 10000") }
        guard (1...100).contains(promoteShare) else { throw ValidationError("--promote-share: expected 1 to 100") }
        guard (1...1_000_000).contains(promoteMinimum) else {
            throw ValidationError("--promote-minimum: expected 1 to 1000000")
        }
        guard (5...86_400).contains(refresh) else { throw ValidationError("--refresh: expected 5 to 86400") }
        guard (16...65_536).contains(maxConnections) else {
            throw ValidationError("--max-connections: expected 16 to 65536")
        }
        guard TrustRoots.seconds(parsing: staleAfter) != nil else {
            throw ValidationError("--stale-after: expected a duration such as 3600, 90m, 36h or 7d")
        }
        _ = try address()
    }

    private func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw ValidationError("--listen: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::]:8080") }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func run() async throws {
        var fleet = FleetSettings(now: Int(time(nil)))
        fleet.staleAfter = TrustRoots.seconds(parsing: staleAfter) ?? fleet.staleAfter
        fleet.promotePercent = promoteShare
        fleet.promoteMinimum = promoteMinimum
        let (host, port) = try address()
        try await CollectorAdministration.serve(
            store: store.store, host: host, port: port, keep: keep, fleet: fleet, refreshSeconds: refresh,
            maximumConnections: maxConnections, readyFile: readyFile, logger: store.logger)
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the store's schema migrations (serve does too, at start).")

    @OptionGroup var store: StoreOption

    func run() async throws {
        try await CollectorAdministration.migrate(store: store.store, logger: store.logger)
    }
}

struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy tokens, hosts, reports and incidents into another, empty store (SQLite to PostgreSQL).")

    @Option(name: .long, help: ArgumentHelp("The store to read.", valueName: "STORE"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("The empty store to fill (migrated first).", valueName: "STORE"))
    var to: String

    func run() async throws {
        print(try await CollectorAdministration.copy(from: from, to: to, logger: StoreOption().logger))
    }
}
