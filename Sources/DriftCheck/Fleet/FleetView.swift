import Synchronization

/// The fleet from its hosts' reports: per image, which changes to bake into the next image (promote), which are
/// per-instance configuration (varies per host), which hosts to rebuild (snowflakes), which changes are fleet
/// incidents; which hosts went quiet (stale) or sent reports that do not verify (unverified); and, from each host's
/// kept reports, since when it drifted and which changes went away (resolved).
///
/// Memory stays small in the number of reports: each report is read, verified, reduced to its host, time and the
/// ids of its changes, and dropped; a change is kept once however many hosts made it.
package struct FleetView: Sendable {
    package var settings: FleetSettings
    package var hosts: [FleetHost]
    /// Incidents first, then per image: investigate, promote, varies per host, snowflake.
    package var changes: [FleetChange]
    package var resolved: [ResolvedChange]
    package var timelines: [String: [TimelineDay]]
    /// Files that are not driftcheck reports, with why.
    package var skipped: [String]

    /// The images hosts were built from, as their newest verified reports say.
    package var images: [String] { Array(Set(hosts.map(\.image))).filter { $0 != FleetHost.unknownImage }.sorted() }

    package func hosts(of image: String) -> [FleetHost] { hosts.filter { $0.image == image } }

    /// True when any report does not verify, or a host reports under two keys: the exit code 3.
    package var hasUnverified: Bool { hosts.contains { $0.state == .unverified } }

    /// Hosts ranked by drift, most drifted first (clean and unverified hosts left out).
    package var ranking: [FleetHost] {
        hosts.filter { $0.state != .clean && $0.state != .unverified && $0.score > 0 }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
    }

    /// Hosts to rebuild, incidents first.
    package var rebuild: [FleetHost] {
        let order: [String: Int] = ["incident": 0, "investigate": 1, "snowflake": 2, "stale": 3]
        return hosts.filter { !$0.rebuildBecause.isEmpty }.sorted { left, right in
            let (a, b) = (order[left.rebuildBecause[0]] ?? 9, order[right.rebuildBecause[0]] ?? 9)
            return a != b ? a < b : left.name < right.name
        }
    }

    /// Reads every report under `directory` (and its immediate subdirectories) and judges the fleet. Reports are
    /// read, verified and parsed on one thread per core; each is reduced into the builder as soon as it is read.
    package static func load(_ directory: String, settings: FleetSettings) throws(DriftCheckError) -> FleetView {
        let paths = try ReportFile.paths(in: directory)
        let shared = SharedBuilder(Builder(settings: settings))
        let next = Atomic<Int>(0)
        let workers = (0..<min(max(1, FileScanner.onlineCores), max(1, paths.count))).map { _ in
            JoinableThread {
                var described: [[UInt8]: String] = [:]
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    guard index < paths.count else { return }
                    let outcome = ReportFile.read(paths[index], settings: settings, described: &described)
                    shared.builder.withLock { $0.add(outcome) }
                }
            }
        }
        for worker in workers { worker.join() }
        return shared.builder.withLock { $0.view() }
    }

    /// The builder the reading threads share.
    private final class SharedBuilder: Sendable {
        let builder: Mutex<Builder>
        init(_ builder: Builder) { self.builder = Mutex(builder) }
    }

    /// Judges the fleet from reports already read (tests, the fuzzer).
    static func judge(_ outcomes: [ReportFile.Outcome], settings: FleetSettings) -> FleetView {
        var builder = Builder(settings: settings)
        for outcome in outcomes { builder.add(outcome) }
        return builder.view()
    }
}

extension FleetView {
    /// Collects reports one at a time, keeping only what the view needs: `fleet` feeds it a directory, the collector
    /// its store, and it is kept between views (``view()`` does not consume it).
    package struct Builder: Sendable {
        /// One verified report, reduced.
        struct Entry {
            var time: Int
            var generated: String
            var image: String
            var changes: [Int32]
            var drifted: Bool
            var incident: Bool
            var action: Recommendation.Action
            var counts: [Severity: Int]
            var score: Int
            var supersededBy: String?
            var signer: String
        }

        /// The time is set anew for each view (the collector's).
        package var settings: FleetSettings
        /// Every distinct change seen (by identity), once.
        var catalogue: [HostChange] = []
        var index: [[UInt8]: Int] = [:]
        var reports: [String: [Entry]] = [:]
        var problems: [String: [String]] = [:]
        /// Per host, what looked like an attack on it (a push signed by another key): the host is an incident.
        var alarms: [String: [String]] = [:]
        var skipped: [String] = []
        /// When set, only each host's newest this many reports are kept (the collector's history per host).
        package var reportsPerHost: Int?

        package init(settings: FleetSettings) {
            self.settings = settings
        }

        /// Raises an incident on `host` that no report shows, e.g. a push for it signed by another key.
        package mutating func raise(host: String, _ reason: String) {
            alarms[host, default: []].append(reason)
        }

        /// Forgets `host` and everything it reported (an operator released it from its key).
        package mutating func remove(host: String) {
            reports[host] = nil
            problems[host] = nil
            alarms[host] = nil
        }

        package mutating func add(_ outcome: ReportFile.Outcome) {
            switch outcome {
            case .skipped(let reason): skipped.append(reason)
            case .unverified(let host, let path, let reason):
                problems[host, default: []].append("\(TerminalText.escape(Array(path.utf8))): \(reason)")
            case .verified(let report):
                // A report from the future (a wrong clock, or a stolen key) would stay a host's newest for ever.
                guard report.time <= settings.now + TrustRoots.allowedSkew else {
                    problems[report.host, default: []].append(
                        "\(TerminalText.escape(Array(report.path.utf8))): dated \(report.generated), in the future")
                    return
                }
                let ids = report.changes.map { change -> Int32 in
                    if let known = index[change.identity] {
                        // The same result may be rated differently on two hosts (another baseline, another policy):
                        // any host that rates it as tampering makes it tampering-grade for the fleet.
                        if change.tampering { catalogue[known].tampering = true }
                        catalogue[known].severity = max(catalogue[known].severity, change.severity)
                        return Int32(known)
                    }
                    catalogue.append(change)
                    index[change.identity] = catalogue.count - 1
                    return Int32(catalogue.count - 1)
                }
                reports[report.host, default: []].append(
                    Entry(
                        time: report.time, generated: report.generated, image: report.image, changes: ids,
                        drifted: !ids.isEmpty, incident: report.changes.contains(where: \.tampering),
                        action: report.action, counts: report.counts, score: report.score,
                        supersededBy: report.supersededBy, signer: report.signer))
                if let limit = reportsPerHost, let count = reports[report.host]?.count, count > limit {
                    reports[report.host]?.sort { $0.time < $1.time }
                    reports[report.host]?.removeFirst(count - limit)
                }
            }
        }

        package func view() -> FleetView {
            var hosts: [FleetHost] = []
            var newest: [String: Entry] = [:]
            // When a change was first reported by any host (times as written sort as they are).
            var firstSeen: [Int32: String] = [:]
            var resolved: [ResolvedChange] = []
            // Per image and day, each host's last report of that day: drifted, and looking like tampering.
            var timelineCells: [String: [String: [String: (drifted: Bool, incident: Bool)]]] = [:]
            for name in Set(reports.keys).union(problems.keys).union(alarms.keys).sorted() {
                let history = (reports[name] ?? []).sorted { $0.time < $1.time }
                // Sorted: reports are read by several threads, in no fixed order.
                var problems = (self.problems[name] ?? []).sorted()
                let alarms = self.alarms[name] ?? []
                let signers = Set(history.map(\.signer))
                if signers.count > 1 {
                    problems.append(
                        "reports of this host are signed by \(signers.count) different keys: "
                            + signers.sorted().map { String($0.prefix(16)) }.joined(separator: ", "))
                }
                guard let last = history.last else {
                    hosts.append(
                        FleetHost(
                            name: name, image: FleetHost.unknownImage, state: alarms.isEmpty ? .unverified : .incident,
                            isStale: false, lastReport: nil,
                            driftedSince: nil, action: .none, counts: [:], score: 0, supersededBy: nil, reports: 0,
                            problems: problems + alarms))
                    continue
                }
                var seen: [Int32: (first: String, last: String)] = [:]
                for entry in history {
                    for id in entry.changes {
                        seen[id] = (seen[id]?.first ?? entry.generated, entry.generated)
                    }
                    timelineCells[entry.image, default: [:]][String(entry.generated.prefix(10)), default: [:]][name] =
                        (entry.drifted, entry.incident)
                }
                let current = Set(last.changes)
                for (id, times) in seen where !current.contains(id) {
                    let gone = history.first { $0.generated > times.last && !$0.changes.contains(id) }
                    resolved.append(
                        ResolvedChange(
                            host: name, image: last.image, title: catalogue[Int(id)].title,
                            result: catalogue[Int(id)].result,
                            firstSeen: times.first, lastSeen: times.last, goneBy: gone?.generated ?? last.generated))
                }
                for (id, times) in seen where current.contains(id) {
                    if firstSeen[id].map({ times.first < $0 }) ?? true { firstSeen[id] = times.first }
                }
                var detail: [ChangeHistory] = []
                if settings.historyOf.contains(name) {
                    detail = seen.map { id, times in
                        ChangeHistory(
                            title: catalogue[Int(id)].title, result: catalogue[Int(id)].result, firstSeen: times.first,
                            lastSeen: times.last, current: current.contains(id))
                    }.sorted { ($0.firstSeen, $0.title) < ($1.firstSeen, $1.title) }
                }
                var since: String? = nil
                for entry in history.reversed() {
                    guard entry.drifted else { break }
                    since = entry.generated
                }
                let stale = settings.now - last.time > settings.staleAfter
                let state: HostState =
                    !alarms.isEmpty
                    ? .incident
                    : !problems.isEmpty
                        ? .unverified
                        : last.incident ? .incident : stale ? .stale : last.drifted ? .drifted : .clean
                problems += alarms
                newest[name] = last
                hosts.append(
                    FleetHost(
                        name: name, image: last.image, state: state, isStale: stale, lastReport: last.generated,
                        driftedSince: since, action: last.action, counts: last.counts, score: last.score,
                        supersededBy: last.supersededBy, reports: history.count, problems: problems, history: detail))
            }
            var changes = verdicts(hosts: hosts, newest: newest, firstSeen: firstSeen)
            changes.sort { left, right in
                let order = FleetVerdict.allCases
                let (a, b) = (order.firstIndex(of: left.verdict) ?? 0, order.firstIndex(of: right.verdict) ?? 0)
                if left.verdict == .incident || right.verdict == .incident, a != b { return a < b }
                if left.image != right.image { return left.image < right.image }
                if a != b { return a < b }
                return left.title != right.title ? left.title < right.title : left.identity < right.identity
            }
            // Why each host is to be rebuilt: one pass over the changes (hosts are in name order, so indices).
            var verdictsOf = [Set<FleetVerdict>](repeating: [], count: hosts.count)
            for change in changes where [.incident, .investigate, .snowflake].contains(change.verdict) {
                for index in change.hostIndices { verdictsOf[Int(index)].insert(change.verdict) }
            }
            for index in hosts.indices where hosts[index].reports > 0 || alarms[hosts[index].name] != nil {
                var because = [FleetVerdict.incident, .investigate, .snowflake].filter(verdictsOf[index].contains)
                    .map(\.rawValue)
                if alarms[hosts[index].name] != nil && !because.contains("incident") {
                    because.insert("incident", at: 0)
                }
                if hosts[index].isStale { because.append("stale") }
                hosts[index].rebuildBecause = because
            }
            var timelines: [String: [TimelineDay]] = [:]
            for (image, days) in timelineCells {
                timelines[image] = days.keys.sorted().map { day in
                    let cells = days[day]?.values.map { $0 } ?? []
                    return TimelineDay(
                        day: day, clean: cells.filter { !$0.drifted }.count,
                        drifted: cells.filter { $0.drifted && !$0.incident }.count,
                        incident: cells.filter(\.incident).count)
                }
            }
            resolved.sort {
                ($0.image, $0.host, $0.title, $0.result, $0.firstSeen) < (
                    $1.image, $1.host, $1.title, $1.result, $1.firstSeen
                )
            }
            return FleetView(
                settings: settings, hosts: hosts, changes: changes, resolved: resolved, timelines: timelines,
                skipped: skipped.sorted())
        }

        /// The verdict on every change of every image, from the newest report of each host that is not unverified.
        private func verdicts(hosts: [FleetHost], newest: [String: Entry], firstSeen: [Int32: String])
            -> [FleetChange]
        {
            var changes: [FleetChange] = []
            // Hosts by index into `hosts` (sorted by name): four bytes per host and change, not a name.
            let names = HostNames(hosts.map(\.name))
            // Every host's newest verified report counts, also a host that is unverified because of another report:
            // a planted or damaged file must not take a host's drift out of the verdicts. A host of which no report
            // verified may belong to any image: it counts towards every image's threshold (less is promoted, never
            // more).
            let trusted = hosts.indices.filter { hosts[$0].reports > 0 }
            let unknown = hosts.count - trusted.count
            for image in Set(trusted.map { hosts[$0].image }).sorted() {
                let members = trusted.filter { hosts[$0].image == image }
                let threshold = settings.promoteThreshold(hosts: members.count + unknown)
                var holders: [Int32: [Int32]] = [:]
                for host in members {
                    for id in Set(newest[hosts[host].name]?.changes ?? []) {
                        holders[id, default: []].append(Int32(host))
                    }
                }
                func change(_ id: Int32, _ hosts: [Int32], _ verdict: FleetVerdict) -> FleetChange {
                    let known = catalogue[Int(id)]
                    return FleetChange(
                        image: image, slot: known.slot, title: known.title, result: known.result,
                        identity: Hex.encode(known.identity), verdict: verdict, hostIndices: hosts.sorted(),
                        names: names, values: 1, firstSeen: firstSeen[id], severity: known.severity,
                        related: known.related)
                }
                // Tampering first: whatever any host rates as tampering is never promoted. The same path tampered
                // with on several hosts is an incident even when each got its own content.
                var tampered: [HostChange.Slot: [Int32]] = [:]
                for id in holders.keys where catalogue[Int(id)].tampering {
                    tampered[catalogue[Int(id)].slot, default: []].append(id)
                }
                for ids in tampered.values {
                    let spread = Set(ids.flatMap { holders[$0] ?? [] }).count
                    for id in ids {
                        changes.append(change(id, holders[id] ?? [], spread >= 2 ? .incident : .investigate))
                    }
                }
                var remaining: [HostChange.Slot: [Int32]] = [:]
                for (id, hosts) in holders where !catalogue[Int(id)].tampering {
                    if let tool = catalogue[Int(id)].managedBy {
                        var managed = change(id, hosts, .managed)
                        managed.managedBy = tool
                        changes.append(managed)
                    } else if hosts.count >= threshold {
                        changes.append(change(id, hosts, .promote))
                    } else {
                        remaining[catalogue[Int(id)].slot, default: []].append(id)
                    }
                }
                for (slot, unordered) in remaining {
                    let ids = unordered.sorted {
                        catalogue[Int($0)].identity.lexicographicallyPrecedes(catalogue[Int($1)].identity)
                    }
                    let hosts = Set(ids.flatMap { holders[$0] ?? [] })
                    if ids.count >= 2 && hosts.count >= threshold {
                        let sample = catalogue[Int(ids[0])]
                        let title = "\(slot.kind) \(TerminalText.escape(slot.name)) \(slot.change)"
                        changes.append(
                            FleetChange(
                                image: image, slot: slot, title: title, result: "\(ids.count) different values",
                                identity: "", verdict: .variesPerHost, hostIndices: hosts.sorted(), names: names,
                                values: ids.count,
                                firstSeen: ids.compactMap { firstSeen[$0] }.min(),
                                severity: ids.map { catalogue[Int($0)].severity }.max() ?? sample.severity,
                                related: sample.related))
                    } else {
                        for id in ids { changes.append(change(id, holders[id] ?? [], .snowflake)) }
                    }
                }
            }
            return changes
        }
    }
}
