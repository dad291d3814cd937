import Foundation
import Testing

@testable import DriftCheck

/// The collector under faults, with real components: a throwaway PostgreSQL cluster (initdb, pg_ctl), kill -9 in
/// the middle of ingest, PostgreSQL restarted under load, and hostile clients (garbage, slowloris, 1,000 pushes at
/// once). Slow: with DRIFTCHECK_SLOW_TESTS=1 (CI) as root.
@Suite("Collector under faults", .serialized, .enabled(if: ScanRaceTests.slow && getuid() == 0))
struct CollectorFaultTests {
    typealias Fleet = CollectorServiceTests.Fleet

    static let traffic = FixtureFiles.path("tools/collector-traffic.py")

    /// Runs the traffic tool; returns its JSON figures (with fractions, which driftcheck's own parser does not read).
    @discardableResult
    static func traffic(_ arguments: [String], timeout: Double = 300) throws -> [String: Any] {
        let result = try CommandLineTool.run("/usr/bin/env", ["python3", traffic] + arguments, timeout: timeout)
        #expect(result.status == 0, "collector-traffic \(arguments.first ?? ""): \(result.stderr)")
        let figures = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(figures != nil, "collector-traffic \(arguments.first ?? "") printed \(result.stdout)")
        return figures ?? [:]
    }

    /// A whole-number figure of the tool's, e.g. count(figures, "status", "201").
    static func count(_ figures: [String: Any], _ path: String...) -> Int {
        var value: Any? = figures
        for key in path { value = (value as? [String: Any])?[key] }
        return (value as? Int) ?? 0
    }

    /// Starts the tool pushing `reportsPerHost` reports of each of `hosts` hosts (h0000…) in the background, each
    /// acknowledgement logged to `log` as it is read; 5 s socket timeout, so a killed collector ends it soon.
    private static func startPushing(
        _ collector: CollectorProcess, template: String, keys: String, hosts: Int, reportsPerHost: Int,
        concurrency: Int, log: String
    ) throws -> Process {
        let pushing = Process()
        pushing.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        pushing.arguments = [
            "python3", traffic, "push", "--url", collector.url, "--template", template, "--keys", keys, "--prefix", "h",
            "--hosts", String(hosts), "--reports-per-host", String(reportsPerHost), "--concurrency",
            String(concurrency), "--acked-log", log, "--timeout", "5",
        ]
        pushing.standardOutput = FileHandle.nullDevice
        pushing.standardError = FileHandle.nullDevice
        try pushing.run()
        return pushing
    }

    /// A token in `store`, enrolled `count` hosts named PREFIX0000…, and a template report from a real check.
    private func enrolledHosts(
        _ fleet: Fleet, collector: CollectorProcess, count: Int, prefix: String = "h"
    ) throws -> (keys: String, template: String) {
        let token = fleet.directory.url("token-\(prefix)")
        try CollectorProcess.token(store: collector.store, file: token)
        let keys = fleet.directory.url("keys-\(prefix)")
        let enrolled = try Self.traffic([
            "enroll", "--url", collector.url, "--token",
            try String(contentsOfFile: token, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            "--hosts", String(count), "--prefix", prefix, "--keys", keys,
        ])
        #expect(Self.count(enrolled, "enrolled") == count, "\(enrolled)")
        // The template: a real report of a drifted copy of the image (its host and time are replaced per push).
        try fleet.host("template", drift: "sed -i s/8080/9090/ srv/app/config.yml")
        try fleet.check("template", push: "http://127.0.0.1:9")
        return (keys, try fleet.newestReport("template").path)
    }

    /// Every push the tool logged as acknowledged (201 or 200) is stored: checked against each host's history.
    private func expectAcknowledgedStored(_ log: String, collector: CollectorProcess) throws -> Int {
        let lines = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        var acknowledged: [String: Set<String>] = [:]
        for line in lines.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard words.count >= 3, words[2] == "201" || words[2] == "200" else { continue }
            acknowledged[String(words[0]), default: []].insert(String(words[1]))
        }
        for (host, times) in acknowledged {
            guard case .array(let reports)? = try collector.json("/api/hosts/\(host)")["reports"] else {
                Issue.record("no history of \(host)")
                continue
            }
            let stored = Set(reports.compactMap { $0["generated"]?.stringValue })
            #expect(times.isSubset(of: stored), "\(host): acknowledged \(times.subtracting(stored)) not stored")
        }
        return acknowledged.values.map(\.count).reduce(0, +)
    }

    /// kill -9 while pushes stream in; after a restart every acknowledged push is stored, and every stored report
    /// verifies again (none half-written: the view re-verifies each one from the store).
    private func killedMidIngest(store: String, fleet: Fleet) throws {
        var collector = try CollectorProcess(store: store, directory: fleet.directory.path)
        let (keys, template) = try enrolledHosts(fleet, collector: collector, count: 100)
        let log = fleet.directory.url("acked.log")
        let pushing = try Self.startPushing(
            collector, template: template, keys: keys, hosts: 100, reportsPerHost: 20, concurrency: 32, log: log)
        // Kill once some pushes were acknowledged, mid-stream.
        for _ in 0..<200 {
            if ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count > 150 { break }
            usleep(20_000)
        }
        collector.stop(signal: SIGKILL)
        pushing.waitUntilExit()
        collector = try CollectorProcess(store: store, directory: fleet.directory.path)
        let acknowledged = try expectAcknowledgedStored(log, collector: collector)
        #expect(acknowledged > 150, "pushes were acknowledged before the kill")
        let view = try collector.json("/api/fleet")
        #expect(view["summary"]?["unverified"]?.integerValue == 0, "every stored report verifies")
        #expect((view["summary"]?["hosts"]?.integerValue ?? 0) >= 100)
    }

    @Test("SQLite: kill -9 mid-ingest loses no acknowledged push and leaves no half-written one")
    func sqliteKilledMidIngest() throws {
        let fleet = try Fleet()
        let database = fleet.directory.url("collector.db")
        try killedMidIngest(store: "sqlite:" + database, fleet: fleet)
        let check = try CommandLineTool.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
                database,
            ])
        #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(check.stdout) \(check.stderr)")
    }

    @Test(
        """
        PostgreSQL: two collectors share one database; a host pushes to one and the other serves it; /api/fleet is \
        fleet --format json; kill -9 mid-ingest loses nothing acknowledged
        """
    )
    func postgresSharedAndKilled() throws {
        let fleet = try Fleet()
        let cluster = try PostgresCluster()
        let first = try CollectorProcess(store: cluster.url, directory: fleet.directory.path)
        let second = try CollectorProcess(store: cluster.url, directory: fleet.directory.path)
        try CollectorServiceTests.pushAndCompare(store: cluster.url, fleet: fleet, collector: first)
        let one = try first.json("/api/fleet")
        let other = try second.json("/api/fleet")
        #expect(
            CollectorServiceTests.comparable(one) == CollectorServiceTests.comparable(other),
            "the second collector sees what the first stored")
        #expect(try second.request("/readyz").status == 200)
        let shot = try Screenshot.take(second.url + "/fleet", into: fleet.directory.url("fleet-pg.png"))
        #expect(shot.colours > 8)
        first.stop()
        second.stop()
        try killedMidIngest(store: cluster.url, fleet: fleet)
    }

    @Test(
        """
        PostgreSQL restarted during ingest: pushes in the outage get 503 and wait in the spool, readiness fails, the \
        collector reconnects, and nothing acknowledged or spooled is lost
        """
    )
    func postgresRestartedDuringIngest() throws {
        let fleet = try Fleet()
        let cluster = try PostgresCluster()
        let collector = try CollectorProcess(store: cluster.url, directory: fleet.directory.path)
        let (keys, template) = try enrolledHosts(fleet, collector: collector, count: 50)
        let token = fleet.directory.url("token")
        try CollectorProcess.token(store: cluster.url, file: token)
        try fleet.host("web-1", drift: "echo x >> etc/hostname")
        try fleet.check("web-1", push: collector.url, token: token)

        // Down: the host's push gets 503 and its report waits; readiness says so.
        #expect(try cluster.run("stop").status == 0)
        let during = try fleet.check("web-1", push: collector.url, token: token)
        #expect(during.stderr.contains("push stopped") && during.stderr.contains("503"), "\(during.stderr)")
        #expect(fleet.spooled("web-1").count == 1)
        #expect(try collector.request("/readyz").status == 503)
        let refused = try collector.request(
            "/api/v1/reports", method: "POST", bodyFile: fleet.newestReport("web-1").path,
            headers: ["Driftcheck-Signature": try fleet.newestReport("web-1").signature])
        #expect(refused.status == 503, "\(refused)")

        // Back: pushes streaming while it restarts (immediate stop: a crash) lose nothing acknowledged.
        #expect(try cluster.run("restart").status == 0)
        let log = fleet.directory.url("acked.log")
        let pushing = try Self.startPushing(
            collector, template: template, keys: keys, hosts: 50, reportsPerHost: 10, concurrency: 16, log: log)
        usleep(500_000)
        #expect(try cluster.run("restart").status == 0)
        pushing.waitUntilExit()
        var ready = 0
        for _ in 0..<100 {
            ready = try collector.request("/readyz").status
            if ready == 200 { break }
            usleep(100_000)
        }
        #expect(ready == 200, "the collector reconnected")
        let acknowledged = try expectAcknowledgedStored(log, collector: collector)
        #expect(acknowledged > 0)
        // The host's next run sends the spooled report and its own.
        let after = try fleet.check("web-1", push: collector.url, token: token)
        #expect(!after.stderr.contains("push stopped"), "\(after.stderr)")
        #expect(fleet.spooled("web-1").isEmpty)
        guard case .array(let reports)? = try collector.json("/api/hosts/web-1")["reports"] else { return }
        #expect(reports.count == 3, "before, during (spooled) and after the outage")
    }

    @Test(
        """
        the move to PostgreSQL: copy takes tokens, hosts with their pinned keys, reports and incidents from SQLite; \
        hosts push on without enrolling again, and a forged report in the source is left out
        """
    )
    func copySQLiteToPostgres() throws {
        let fleet = try Fleet()
        let sqlite = "sqlite:" + fleet.directory.url("collector.db")
        var collector = try CollectorProcess(store: sqlite, directory: fleet.directory.path)
        try CollectorServiceTests.pushAndCompare(store: sqlite, fleet: fleet, collector: collector)
        let before = try collector.json("/api/fleet")
        collector.stop()
        // A row written behind the collector's back: web-3's report with its bytes altered.
        let forged = try CommandLineTool.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                body, sig = db.execute("SELECT body, signature FROM reports WHERE host='web-3'").fetchone()
                db.execute("INSERT INTO reports (host, generated, received, body, signature) VALUES "
                           "('web-3', 4102444800, 0, ?, ?)", (body.replace(b'web-2026.11', b'web-2026.12'), sig))
                db.commit()
                """, fleet.directory.url("collector.db"),
            ])
        #expect(forged.status == 0, "\(forged.stderr)")
        let cluster = try PostgresCluster()
        let copied = try CollectorProcess.run(["copy", "--from", sqlite, "--to", cluster.url])
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.contains("3 hosts, 3 reports (1 that do not verify left out)"), "\(copied.stdout)")
        let again = try CollectorProcess.run(["copy", "--from", sqlite, "--to", cluster.url])
        #expect(again.status == 2 && again.stderr.contains("empty store"), "\(again.stderr)")
        collector = try CollectorProcess(store: cluster.url, directory: fleet.directory.path)
        #expect(
            CollectorServiceTests.comparable(try collector.json("/api/fleet"))
                == CollectorServiceTests.comparable(before), "the same fleet from PostgreSQL")
        // web-1 pushes on with no token at all: its key is pinned in the copy.
        let checked = try fleet.check("web-1", push: collector.url)
        #expect(!checked.stderr.contains("push stopped"), "\(checked.stderr)")
        guard case .array(let reports)? = try collector.json("/api/hosts/web-1")["reports"] else { return }
        #expect(reports.count == 2)
    }

    @Test("retention: each store keeps the newest --keep reports of each host, the fleet judges from them")
    func retention() throws {
        let fleet = try Fleet()
        let cluster = try PostgresCluster()
        try fleet.host("web-1", drift: "echo x >> etc/hostname")
        for store in ["sqlite:" + fleet.directory.url("collector.db"), cluster.url] {
            let collector = try CollectorProcess(store: store, directory: fleet.directory.path, extra: ["--keep", "2"])
            let token = fleet.directory.url("token")
            try? FileManager.default.removeItem(atPath: token)
            try CollectorProcess.token(store: store, file: token)
            try? FileManager.default.removeItem(atPath: fleet.reports("web-1"))
            for _ in 0..<3 { try fleet.check("web-1", push: collector.url, token: token) }
            guard case .array(let reports)? = try collector.json("/api/hosts/web-1")["reports"] else { continue }
            #expect(reports.count == 2, "\(store): the newest two of three")
            let newest = try fleet.newestReport("web-1").path
            let made = try JSONParser.parse(Array(try String(contentsOfFile: newest, encoding: .utf8).utf8.dropLast()))
            #expect(reports.first?["generated"]?.stringValue == made["generated"]?.stringValue)
            guard case .array(let hosts)? = try collector.json("/api/fleet")["hosts"] else { continue }
            #expect(hosts.first?["reports"]?.integerValue == 2, "\(store): the view holds what the store keeps")
        }
    }

    @Test(
        """
        hostile traffic: garbage, slowloris connections and 1,000 pushes at once leave the collector up and \
        answering, with bounded memory; every push is answered and each 201 stored
        """
    )
    func hostileTraffic() throws {
        let fleet = try Fleet()
        let store = "sqlite:" + fleet.directory.url("collector.db")
        let collector = try CollectorProcess(store: store, directory: fleet.directory.path)
        let (keys, template) = try enrolledHosts(fleet, collector: collector, count: 1000)
        let hostile = try Self.traffic([
            "hostile", "--url", collector.url, "--slow", "300", "--garbage", "300", "--seconds", "15",
        ])
        #expect(hostile["health_ok"] as? Bool == true, "\(hostile)")
        #expect(Self.count(hostile, "slow_closed_by_server") >= 290, "slow clients are cut off: \(hostile)")
        let burst = try Self.traffic([
            "concurrent", "--url", collector.url, "--template", template, "--keys", keys, "--prefix", "h", "--hosts",
            "1000",
        ])
        let stored = Self.count(burst, "status", "201")
        let busy = Self.count(burst, "status", "503")
        #expect(stored + busy == 1000, "every push answered: \(burst)")
        #expect(stored >= 900, "\(burst)")
        let view = try collector.json("/api/fleet")
        #expect(view["summary"]?["hosts"]?.integerValue == Int64(stored), "each acknowledged push is in the view")
        #expect(try collector.request("/healthz").status == 200)
        #expect(collector.peakKiB < 300 * 1024, "peak RSS \(collector.peakKiB) KiB")
    }
}
