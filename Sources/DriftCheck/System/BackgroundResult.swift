import Glibc

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
