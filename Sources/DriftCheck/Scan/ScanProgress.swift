import Glibc
import Synchronization

/// Live counters of a running scan: the walker, the hashing threads and the consumer update them; a progress
/// display on another thread reads them.
package final class ScanProgress: Sendable {
    private let entryCount = Atomic<Int>(0)
    private let byteCount = Atomic<Int64>(0)
    private let directory = Mutex<[UInt8]>([])

    package init() {}

    /// The walker entered the directory `path`.
    func entered(_ path: [UInt8]) {
        directory.withLock { $0 = path }
    }

    /// The consumer recorded one more entry.
    func recorded() {
        entryCount.add(1, ordering: .relaxed)
    }

    /// A hashing thread read `count` more bytes.
    func hashed(_ count: Int) {
        byteCount.add(Int64(count), ordering: .relaxed)
    }

    package var entries: Int { entryCount.load(ordering: .relaxed) }
    package var bytes: Int64 { byteCount.load(ordering: .relaxed) }
    package var currentDirectory: [UInt8] { directory.withLock { $0 } }
}
