#if canImport(Glibc)
    import Glibc
#endif

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

/// A started thread that can be joined.
struct JoinableThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private let thread: pthread_t

    /// Starts `body` on a new thread with an 8 MiB stack.
    init(_ body: @escaping @Sendable () -> Void) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        defer { pthread_attr_destroy(&attributes) }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, &attributes,
            { context in
                let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        precondition(status == 0, "cannot start a thread: \(Errno(rawValue: status))")
        self.thread = thread
    }

    func join() {
        pthread_join(thread, nil)
    }
}

/// A value computed on a thread of its own, for work that can overlap the caller's (verifying a second manifest's
/// signature while the first is verified). The thread is joined when the value is taken, or when this is dropped;
/// callers that may throw first should still take it in a `defer`, so that nothing reaches exit mid-computation.
final class BackgroundResult<Value>: @unchecked Sendable {
    /// Written by the thread, read after joining it.
    private final class Slot: @unchecked Sendable {
        var result: Result<Value, DriftCheckError>?
    }

    private let slot = Slot()
    private var thread: JoinableThread?

    init(_ body: @escaping @Sendable () throws(DriftCheckError) -> Value) {
        let slot = slot
        thread = JoinableThread { slot.result = Result { () throws(DriftCheckError) in try body() } }
    }

    deinit {
        thread?.join()
    }

    /// Waits for the thread and returns its value, or throws its error.
    func value() throws(DriftCheckError) -> Value {
        thread?.join()
        thread = nil
        return try slot.result!.get()
    }
}
