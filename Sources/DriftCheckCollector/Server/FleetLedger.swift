import Dispatch
import DriftCheck
import Glibc

/// The fleet as the collector sees it: the store's reports reduced into one ``FleetView/Builder`` (the same code as
/// `driftcheck fleet`), kept in memory between requests and caught up from the store before each view, so that
/// several collectors sharing one PostgreSQL database each see every host's reports. Every report read from the
/// store is verified again against its host's pinned key: a row written into the database behind the collector's
/// back does not count.
actor FleetLedger {
    private let store: any ReportStore
    private var builder: FleetView.Builder
    /// Pinned keys by host, parsed once.
    private var keys: [String: (id: String, key: Ed25519Key)] = [:]
    /// Every report with an id at or below `floor` has been applied; above it, `applied` lists those that were.
    private var floor: Int64 = 0
    private var applied: Set<Int64> = []
    /// Ids missing below the newest applied one (a transaction another collector has not committed yet, or one
    /// rolled back), with when they were first missed: waited for a minute, then given up.
    private var gaps: [Int64: Int] = [:]
    private var incidentFloor: Int64 = 0
    private var hostsCheckedAt = 0
    private var cached: (view: FleetView, at: Int)? = nil
    /// The last view made, whatever happened since (metrics while the store is down).
    private(set) var lastView: FleetView? = nil
    private var refreshing: Task<Void, any Error>? = nil
    /// Set once the first catch-up from the store finished (readiness).
    private(set) var isLoaded = false

    init(store: any ReportStore, settings: FleetSettings, reportsPerHost: Int) {
        self.store = store
        builder = FleetView.Builder(settings: settings)
        builder.reportsPerHost = reportsPerHost
    }

    /// The pinned key of `host`, from memory or the store; `unless` a key id the push names: when it differs from
    /// the key in memory, the store is asked again (the host may have been released and enrolled anew since).
    func key(of host: String, unless keyID: String? = nil) async throws(StoreError) -> (id: String, key: Ed25519Key)? {
        if let known = keys[host], keyID == nil || keyID == known.id { return known }
        guard let enrolled = try await store.host(host) else {
            forgetKey(of: host)
            return nil
        }
        return trust(enrolled)
    }

    /// Pins `host`'s key in memory; a host pinned to another key before (released, enrolled again) starts afresh.
    @discardableResult
    func trust(_ host: EnrolledHost) -> (id: String, key: Ed25519Key)? {
        if let known = keys[host.name] {
            if known.id == host.keyID { return known }
            forgetKey(of: host.name)
        }
        guard let key = try? Ed25519Key.publicKey(pem: host.publicKey), key.keyID == host.keyID else { return nil }
        keys[host.name] = (host.keyID, key)
        return (host.keyID, key)
    }

    /// Forgets `host`'s key and everything it reported (it was released from its key).
    func forgetKey(of host: String) {
        keys[host] = nil
        builder.remove(host: host)
        cached = nil
    }

    /// A report this collector just stored (already verified): applied at once, not read back from the store.
    func apply(id: Int64, _ outcome: ReportFile.Outcome) {
        guard id > floor, !applied.contains(id) else { return }
        builder.add(outcome)
        applied.insert(id)
        gaps[id] = nil
        cached = nil
    }

    private func raise(_ incident: Incident) {
        builder.raise(host: incident.host, "\(UTCTime.format(incident.time)): \(incident.reason)")
        cached = nil
    }

    /// The fleet now, caught up with the store; a view at most `maximumAge` seconds old is reused.
    func view(maximumAge: Int = 5) async throws -> FleetView {
        try await refresh()
        let now = Int(time(nil))
        if let cached, now - cached.at <= maximumAge { return cached.view }
        builder.settings.now = now
        let view = builder.view()
        cached = (view, now)
        lastView = view
        return view
    }

    /// One host's view with the history of every change its kept reports name.
    func view(historyOf host: String) async throws -> FleetView {
        try await refresh()
        var one = builder
        one.settings.now = Int(time(nil))
        one.settings.historyOf = [host]
        return one.view()
    }

    /// Catches up with the store; one catch-up at a time, the others wait for it.
    func refresh() async throws {
        if let refreshing {
            try await refreshing.value
            return
        }
        let task = Task { try await self.catchUp() }
        refreshing = task
        defer { refreshing = nil }
        try await task.value
    }

    private func catchUp() async throws {
        let now = Int(time(nil))
        // Hosts released (`hosts forget`) or enrolled through another collector, at most every 10 s.
        if now - hostsCheckedAt >= 10 || !isLoaded {
            let hosts = try await store.hosts()
            let names = Set(hosts.map(\.name))
            for host in hosts { trust(host) }
            for name in keys.keys where !names.contains(name) { forgetKey(of: name) }
            hostsCheckedAt = now
        }
        for incident in try await store.incidents(after: incidentFloor) {
            incidentFloor = max(incidentFloor, incident.id)
            raise(incident)
        }
        var after = gaps.keys.min().map { $0 - 1 } ?? floor
        while true {
            let rows = try await store.reports(after: after, limit: Self.batch)
            guard let last = rows.last else { break }
            // A host enrolled through another collector since the last look: its pinned key, before its reports.
            for name in Set(rows.map(\.host)) where keys[name] == nil {
                if let host = try await store.host(name) { trust(host) }
            }
            // After the awaits: a push this collector stored meanwhile is applied already.
            let fresh = rows.filter { $0.id > floor && !applied.contains($0.id) }
            for (row, outcome) in zip(fresh, Self.read(fresh, keys: keys)) {
                builder.add(outcome)
                applied.insert(row.id)
                gaps[row.id] = nil
            }
            if !fresh.isEmpty { cached = nil }
            // An id skipped between two rows is a transaction not committed yet (or rolled back). Not on the first
            // load: then the holes are reports retention deleted.
            if isLoaded {
                var expected = after + 1
                for row in rows {
                    for missing in expected..<max(expected, row.id) where missing > floor && !applied.contains(missing)
                    {
                        gaps[missing] = gaps[missing] ?? now
                    }
                    expected = row.id + 1
                }
            }
            after = last.id
            if rows.count < Self.batch { break }
        }
        for (id, since) in gaps where now - since > 60 { gaps[id] = nil }
        floor = gaps.keys.min().map { $0 - 1 } ?? max(floor, applied.max() ?? floor)
        applied = applied.filter { $0 > floor }
        isLoaded = true
    }

    private static let batch = 2000

    /// Verifies and parses stored reports on every core.
    private static func read(_ rows: [StoredReport], keys: [String: (id: String, key: Ed25519Key)])
        -> [ReportFile.Outcome]
    {
        let results = UnsafeResults(count: rows.count)
        DispatchQueue.concurrentPerform(iterations: min(rows.count, FileScanner.onlineCores * 4)) { worker in
            var described: [[UInt8]: String] = [:]
            var index = worker
            let stride = min(rows.count, FileScanner.onlineCores * 4)
            while index < rows.count {
                let row = rows[index]
                let label = "store report \(row.id) of \(row.host)"
                if let pinned = keys[row.host] {
                    results.set(
                        index,
                        ReportFile.read(
                            row.body, signature: row.signature, of: label, trustedKeys: [pinned.key],
                            keyHosts: [pinned.id: row.host], described: &described))
                } else {
                    results.set(index, .unverified(claimedHost: row.host, path: label, reason: "no key is pinned"))
                }
                index += stride
            }
        }
        return results.values.map { $0 ?? .skipped("unread") }
    }

    /// Results written by several threads, each to its own slots of one buffer.
    private final class UnsafeResults: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<ReportFile.Outcome?>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil)
        }
        deinit {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        func set(_ index: Int, _ value: ReportFile.Outcome) { slots[index] = value }
        var values: [ReportFile.Outcome?] { Array(slots) }
    }
}
