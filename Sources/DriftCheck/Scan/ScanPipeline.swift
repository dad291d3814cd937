import Glibc

/// The bounded, ordered hand-off between the walker, the hashing threads and the consumer.
///
/// The walker submits entries in canonical order, in batches, into a ring of slots; entries that need a hash also
/// go on a job queue for the hashing threads; the consumer takes entries out strictly in submission order once
/// their hash is in, as many as are ready at a time. The ring's capacity bounds memory and open descriptors, and
/// makes the walker wait (back-pressure) when the consumer or the hashers fall behind. Batches keep the threads
/// from waking each other for every entry: on an incremental scan, where nothing is hashed, one lock and at most
/// one wake-up per batch was the difference between the walker and the consumer taking turns and running at once.
final class ScanPipeline: @unchecked Sendable {
    private struct Slot {
        var entry: FileEntry?
        var pending = false
    }

    /// The most entries the walker hands over at once, and the consumer takes at once.
    static let batchSize = 128

    private let monitor = Monitor()
    private let notFull: Monitor.Condition
    private let jobReady: Monitor.Condition
    private let slotReady: Monitor.Condition
    private let capacity: Int
    private var slots: [Slot]
    private var produced = 0
    private var consumed = 0
    /// Jobs waiting for a hasher from `jobHead` on; a job taken is cleared from here, so that its descriptor is
    /// closed as soon as the hasher drops it.
    private var jobs: [(index: Int, job: HashJob?)] = []
    private var jobHead = 0
    private var walkerDone = false
    private var cancelled = false
    private var consumerWaiting = false
    private var walkerWaiting = false
    private var idleHashers = 0

    init(capacity: Int) {
        precondition(capacity >= ScanPipeline.batchSize)
        self.capacity = capacity
        slots = Array(repeating: Slot(), count: capacity)
        notFull = Monitor.Condition(monitor)
        jobReady = Monitor.Condition(monitor)
        slotReady = Monitor.Condition(monitor)
    }

    /// Called by the walker with at most ``batchSize`` entries, which it then empties. Returns false when the scan
    /// was cancelled; the jobs (and their descriptors) are then dropped.
    func submit(_ batch: inout [(entry: FileEntry, job: HashJob?)]) -> Bool {
        defer { batch.removeAll(keepingCapacity: true) }
        return monitor.locked {
            while capacity - (produced - consumed) < batch.count && !cancelled {
                walkerWaiting = true
                notFull.wait()
            }
            walkerWaiting = false
            if cancelled { return false }
            var newJobs = 0
            for item in batch {
                slots[produced % capacity] = Slot(entry: item.entry, pending: item.job != nil)
                if let job = item.job {
                    jobs.append((produced, job))
                    newJobs += 1
                }
                produced += 1
            }
            if newJobs == 1 { jobReady.signal() } else if newJobs > 1 { jobReady.broadcast() }
            if consumerWaiting { slotReady.signal() }
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

    /// Called by a hashing thread: replaces `taken` with the next jobs, as many as add up to ``jobBytes`` of file
    /// content but at least one and at most ``jobCount``, and fewer when other hashers are idle; false when there is
    /// no more work. Small files then cost one lock and no wake-up each, and large ones are still shared out one by
    /// one.
    func nextJobs(_ taken: inout [(index: Int, job: HashJob)]) -> Bool {
        taken.removeAll(keepingCapacity: true)
        return monitor.locked {
            while jobHead == jobs.count && !walkerDone && !cancelled {
                idleHashers += 1
                jobReady.wait()
                idleHashers -= 1
            }
            guard !cancelled, jobHead < jobs.count else { return false }
            let share = max(1, (jobs.count - jobHead) / (idleHashers + 1))
            var bytes: Int64 = 0
            while jobHead < jobs.count && taken.count < min(share, ScanPipeline.jobCount),
                let job = jobs[jobHead].job, taken.isEmpty || bytes + job.status.size <= ScanPipeline.jobBytes
            {
                bytes += job.status.size
                taken.append((jobs[jobHead].index, job))
                jobs[jobHead].job = nil
                jobHead += 1
            }
            if jobHead >= 4096 {
                jobs.removeFirst(jobHead)
                jobHead = 0
            }
            return true
        }
    }

    static let jobCount = 32
    static let jobBytes: Int64 = 1 << 20

    /// Called by a hashing thread with the results of the jobs it took (`results[i]` for `taken[i]`).
    func complete(_ taken: [(index: Int, job: HashJob)], with results: [HashResult]) {
        monitor.locked {
            var headDone = false
            for (item, result) in zip(taken, results) {
                let position = item.index % capacity
                slots[position].entry?.sha256 = result.sha256
                slots[position].entry?.blockDigest = result.blockDigest
                slots[position].entry?.capabilities = result.capabilities
                slots[position].entry?.packageCheck = result.packageCheck
                if let error = result.error { slots[position].entry?.error = error }
                slots[position].pending = false
                if item.index == consumed { headDone = true }
            }
            if headDone && consumerWaiting { slotReady.signal() }
        }
    }

    /// Called by the consumer: replaces `ready` with the next entries in canonical order whose hashes are in (at
    /// least one, at most ``batchSize``); false when the scan is complete or cancelled.
    func nextEntries(_ ready: inout [FileEntry]) -> Bool {
        ready.removeAll(keepingCapacity: true)
        return monitor.locked {
            while true {
                if cancelled { return false }
                while consumed < produced && !slots[consumed % capacity].pending
                    && ready.count < ScanPipeline.batchSize
                {
                    ready.append(slots[consumed % capacity].entry!)
                    slots[consumed % capacity] = Slot()
                    consumed += 1
                }
                if !ready.isEmpty {
                    if walkerWaiting { notFull.signal() }
                    return true
                }
                if consumed == produced && walkerDone { return false }
                consumerWaiting = true
                slotReady.wait()
                consumerWaiting = false
            }
        }
    }

    /// Stops the walker and the hashers; drops the jobs not yet taken, closing their descriptors.
    func cancel() {
        monitor.locked {
            cancelled = true
            jobs.removeAll()
            jobHead = 0
            notFull.broadcast()
            jobReady.broadcast()
            slotReady.broadcast()
        }
    }
}
