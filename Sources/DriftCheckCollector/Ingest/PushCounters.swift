import Synchronization

/// How many pushes and enrollments ended how, since the collector started (Prometheus counters).
final class PushCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func count(_ outcome: String) {
        counts.withLock { $0[outcome, default: 0] += 1 }
    }

    var snapshot: [String: Int] { counts.withLock { $0 } }
}
