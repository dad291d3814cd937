import Glibc

/// A mutex with condition variables, over pthreads: the scanner's threads block on file I/O, so they are plain
/// threads rather than tasks on Swift's cooperative pool.
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    func locked<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// A condition variable tied to this monitor's mutex.
    final class Condition: @unchecked Sendable {
        private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private let monitor: Monitor

        init(_ monitor: Monitor) {
            self.monitor = monitor
            pthread_cond_init(condition, nil)
        }

        deinit {
            pthread_cond_destroy(condition)
            condition.deallocate()
        }

        /// Waits; the caller must hold the monitor's lock (be inside `locked`).
        func wait() { pthread_cond_wait(condition, monitor.mutex) }
        func signal() { pthread_cond_signal(condition) }
        func broadcast() { pthread_cond_broadcast(condition) }
    }
}
