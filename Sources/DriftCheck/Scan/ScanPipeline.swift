#if canImport(Glibc)
    import Glibc
#endif

/// The bounded, ordered hand-off between the walker, the hashing threads and the consumer.
///
/// The walker submits entries in canonical order into a ring of slots; entries that need a hash also go on a
/// job queue for the hashing threads; the consumer takes entries out strictly in submission order once their
/// hash is in. The ring's capacity bounds memory and open descriptors, and makes the walker wait (back-pressure)
/// when the consumer or the hashers fall behind.
final class ScanPipeline: @unchecked Sendable {
    private struct Slot {
        var entry: FileEntry?
        var pending = false
    }

    private let monitor = Monitor()
    private let notFull: Monitor.Condition
    private let jobReady: Monitor.Condition
    private let slotReady: Monitor.Condition
    private let capacity: Int
    private var slots: [Slot]
    private var produced = 0
    private var consumed = 0
    private var jobs: [(index: Int, job: HashJob)] = []
    private var jobHead = 0
    private var walkerDone = false
    private var cancelled = false

    init(capacity: Int) {
        self.capacity = capacity
        slots = Array(repeating: Slot(), count: capacity)
        notFull = Monitor.Condition(monitor)
        jobReady = Monitor.Condition(monitor)
        slotReady = Monitor.Condition(monitor)
    }

    /// Called by the walker. Returns false when the scan was cancelled; the job's descriptor is then closed.
    func submit(_ entry: FileEntry, job: HashJob?) -> Bool {
        monitor.locked {
            while produced - consumed >= capacity && !cancelled { notFull.wait() }
            if cancelled {
                if let job { close(job.descriptor) }
                return false
            }
            slots[produced % capacity] = Slot(entry: entry, pending: job != nil)
            if let job {
                jobs.append((produced, job))
                jobReady.signal()
            }
            if produced == consumed { slotReady.signal() }
            produced += 1
            return true
        }
    }

    /// Called by the walker when it has submitted everything.
    func finishWalking() {
        monitor.locked {
            walkerDone = true
            jobReady.broadcast()
            slotReady.signal()
        }
    }

    /// Called by a hashing thread; nil when there is no more work.
    func nextJob() -> (index: Int, job: HashJob)? {
        monitor.locked {
            while jobHead == jobs.count && !walkerDone && !cancelled { jobReady.wait() }
            guard !cancelled, jobHead < jobs.count else { return nil }
            let next = jobs[jobHead]
            jobHead += 1
            if jobHead >= 4096 {
                jobs.removeFirst(jobHead)
                jobHead = 0
            }
            return next
        }
    }

    /// Called by a hashing thread with the result for the slot `index`.
    func complete(_ index: Int, with result: HashResult) {
        monitor.locked {
            let position = index % capacity
            slots[position].entry?.sha256 = result.sha256
            slots[position].entry?.blockDigest = result.blockDigest
            slots[position].entry?.capabilities = result.capabilities
            slots[position].entry?.packageCheck = result.packageCheck
            if let error = result.error { slots[position].entry?.error = error }
            slots[position].pending = false
            if index == consumed { slotReady.signal() }
        }
    }

    /// Called by the consumer: the next entry in canonical order, or nil when the scan is complete.
    func nextEntry() -> FileEntry? {
        monitor.locked {
            while true {
                if cancelled { return nil }
                if consumed < produced && !slots[consumed % capacity].pending {
                    let entry = slots[consumed % capacity].entry
                    slots[consumed % capacity] = Slot()
                    consumed += 1
                    notFull.signal()
                    return entry
                }
                if consumed == produced && walkerDone { return nil }
                slotReady.wait()
            }
        }
    }

    /// Stops the walker and the hashers; closes the descriptors of jobs not yet taken.
    func cancel() {
        monitor.locked {
            cancelled = true
            for (_, job) in jobs[jobHead...] { close(job.descriptor) }
            jobs.removeAll()
            jobHead = 0
            notFull.broadcast()
            jobReady.broadcast()
            slotReady.broadcast()
        }
    }
}
