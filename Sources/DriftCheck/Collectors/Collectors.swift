/// The collectors driftcheck runs, in a fixed order.
package enum Collectors {
    /// Every collector. Live-only ones (ports, modules) check themselves that the root is the running system's.
    package static let all: [any Collector] = [
        DpkgCollector(), RpmCollector(), ApkCollector(), SystemdCollector(), SysVInitCollector(), AccountCollector(),
        CronCollector(), ListeningPortCollector(), KernelModuleCollector(), LoginCollector(),
    ]

    /// Runs `collectors` over `root` and returns their records sorted in the manifest's canonical order.
    package static func run(_ collectors: [any Collector], root: RootDirectory, loadDigests: Bool = false)
        -> CollectedState
    {
        var state = CollectedState()
        state.loadDigests = loadDigests
        for collector in collectors {
            let before = state.records.count
            collector.collect(from: root, into: &state)
            state.found.append((collector.name, state.records.count - before))
        }
        state.records.sort { ManifestEntry.precedes(.record($0), .record($1)) }
        // Two collectors must never claim the same kind and name; keep the first if they do.
        var unique: [RecordEntry] = []
        for record in state.records where unique.last.map({ $0.kind != record.kind || $0.name != record.name }) ?? true
        {
            unique.append(record)
        }
        state.records = unique
        return state
    }
}
