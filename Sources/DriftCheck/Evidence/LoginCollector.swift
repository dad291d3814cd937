import Glibc

/// Collects what the root's own logs say about logins and privileged commands (``LoginEvent``): wtmp and btmp
/// (with their `.1` copies), lastlog, auth.log or secure, and the journal. The newest ``maximumEvents`` are kept
/// as `evidence` records, which the comparer never compares: the report uses them to say who was on the host
/// when something changed.
package struct LoginCollector: Collector {
    package let name = "logins"
    /// The newest events kept: failed logins apart, so that a flood of them (anyone can knock on ssh) cannot push
    /// the sessions and commands out.
    static let maximumEvents = 2000
    static let maximumFailures = 500

    package init() {}

    /// What one log may cost in memory: a utmp file longer than this is read from its last whole records.
    static let maximumLogSize: Int64 = 64 << 20

    /// The newest ``maximumLogSize`` bytes of a utmp file, whole records only.
    static func tail(_ name: String, in root: RootDirectory) -> [UInt8]? {
        guard let size = root.status(name)?.size else { return nil }
        guard size > maximumLogSize else { return root.read(name) }
        let record = Int64(UtmpLog.recordSize)
        let start = (size - maximumLogSize + record - 1) / record * record
        return root.read(name, at: start, count: Int(size - start))
    }

    package func collect(from root: RootDirectory, into state: inout CollectedState) {
        var events: [LoginEvent] = []
        // wtmp.1 then wtmp as one stream: a session opened before the rotation ends in the new file.
        let wtmp = ["var/log/wtmp.1", "var/log/wtmp"].compactMap { Self.tail($0, in: root) }
        // Whole records of each, so a damaged end of wtmp.1 cannot shift wtmp's records.
        let records = wtmp.flatMap { $0.prefix($0.count / UtmpLog.recordSize * UtmpLog.recordSize) }
        if !records.isEmpty { events += UtmpLog.sessions(records) }
        for name in ["var/log/btmp.1", "var/log/btmp"] {
            if let bytes = Self.tail(name, in: root) { events += UtmpLog.failures(bytes) }
        }
        events += Lastlog.events(in: root)
        events += AuthLog.events(in: root, now: Int64(time(nil)))
        events += JournalLog.events(in: root)
        let sorted = events.sorted { $0.start < $1.start }
        let kept =
            (sorted.filter { $0.kind != .failed }.suffix(Self.maximumEvents)
            + sorted.filter { $0.kind == .failed }.suffix(Self.maximumFailures)).sorted { $0.start < $1.start }
        for (index, event) in kept.enumerated() { state.records.append(event.record(sequence: index)) }
    }
}
