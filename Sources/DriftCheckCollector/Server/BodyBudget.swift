import Synchronization

/// Bytes of request bodies the collector holds at once: a push takes its declared length (or the 64 MiB maximum
/// when it declares none) before its body is read, and gets 503 when the budget is spent, so that many large pushes
/// at once cannot exhaust memory; hosts retry later.
final class BodyBudget: Sendable {
    private let available: Mutex<Int>

    init(bytes: Int) {
        available = Mutex(bytes)
    }

    func take(_ bytes: Int) -> Bool {
        available.withLock { left in
            guard left >= bytes else { return false }
            left -= bytes
            return true
        }
    }

    func giveBack(_ bytes: Int) {
        available.withLock { $0 += bytes }
    }
}
