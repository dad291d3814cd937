/// The previous manifest of the same root, streamed alongside the walk so that a file whose device, inode, size,
/// mtime and ctime (nanoseconds) are all unchanged can keep its recorded hash instead of being read again — the
/// idea of git's index. Both streams are in canonical order, so this is a merge in constant memory.
///
/// The manifest is verified and decoded on a thread of its own, which hands the walker batches of the entries
/// that can supply a hash (regular files with a digest and no error); the walker only compares. Decoding on the
/// walker's thread made it the slowest stage of an incremental scan.
///
/// Racy entries are never reused: a file whose mtime or ctime is not at least one second older than the start of the
/// previous scan may have been written again within the same timestamp tick after it was hashed (git's "racy clean"
/// problem, Documentation/technical/racy-git.txt), so its unchanged stat proves nothing.
final class PreviousManifest: @unchecked Sendable {
    private static let batchSize = 512
    private static let queuedBatches = 8

    // Shared with the decoding thread, under `monitor`.
    private let monitor = Monitor()
    private let changed: Monitor.Condition
    private var queue: [[FileEntry]] = []
    private var opened = false
    private var decoded = false
    private var stopped = false
    /// Why verifying or reading the previous manifest failed; reuse then stops and files are hashed.
    private var failure: DriftCheckError?
    private var decoder: JoinableThread?

    /// Entries modified at or after this moment are racy; set once the manifest is open (``waitUntilOpen()``).
    private(set) var cutoff = Timestamp(seconds: Int64.min, nanoseconds: 0)

    // Used by the walker thread only.
    private var batch: [FileEntry] = []
    private var position = 0
    private var exhausted = false
    private(set) var reused = 0

    /// Starts verifying `path` against `trustedKeys` and decoding it, on a thread of its own. The caller must end it
    /// with ``finish()`` or ``stop()``.
    init(path: String, trustedKeys: [Ed25519Key]) {
        changed = Monitor.Condition(monitor)
        decoder = JoinableThread { [self] in decode(path, trustedKeys: trustedKeys) }
    }

    private func decode(_ path: String, trustedKeys: [Ed25519Key]) {
        let reader: ManifestReader
        do {
            reader = try ManifestReader.open(path, trustedKeys: trustedKeys)
        } catch {
            finishDecoding(failure: error)
            return
        }
        let started = reader.header.started ?? Timestamp(seconds: 0, nanoseconds: 0)
        monitor.locked {
            cutoff = Timestamp(seconds: max(started.seconds, Int64.min + 1) - 1, nanoseconds: started.nanoseconds)
            opened = true
            changed.broadcast()
        }
        var next: [FileEntry] = []
        next.reserveCapacity(Self.batchSize)
        do {
            // Read to the end even after the file entries: the reader checks at the end that every byte it read was
            // a byte whose signature was verified.
            while let entry = try reader.next() {
                guard case .file(let file) = entry, file.type == .file, file.error == nil, file.sha256 != nil
                else { continue }
                next.append(file)
                if next.count == Self.batchSize {
                    guard hand(next) else { return }
                    next.removeAll(keepingCapacity: true)
                }
            }
            if !next.isEmpty { _ = hand(next) }
            finishDecoding(failure: nil)
        } catch {
            finishDecoding(failure: error)
        }
    }

    /// Queues a batch for the walker; false when the scan stopped.
    private func hand(_ entries: [FileEntry]) -> Bool {
        monitor.locked {
            while queue.count >= Self.queuedBatches && !stopped { changed.wait() }
            guard !stopped else { return false }
            queue.append(entries)
            changed.broadcast()
            return true
        }
    }

    private func finishDecoding(failure: DriftCheckError?) {
        monitor.locked {
            self.failure = failure
            decoded = true
            opened = true
            changed.broadcast()
        }
    }

    /// Waits until the signature is verified and the header read; throws when that failed. Call before the walk.
    func waitUntilOpen() throws(DriftCheckError) {
        let failure: DriftCheckError? = monitor.locked {
            while !opened { changed.wait() }
            return self.failure
        }
        if let failure { throw failure }
    }

    /// The walker's next batch; false when there are no more entries.
    private func fetch() -> Bool {
        let next: [FileEntry]? = monitor.locked {
            while queue.isEmpty && !decoded && !stopped { changed.wait() }
            guard !queue.isEmpty else { return nil }
            changed.broadcast()
            return queue.removeFirst()
        }
        guard let next else {
            exhausted = true
            batch = []
            return false
        }
        batch = next
        position = 0
        return true
    }

    /// The previous entry of `path` when its hash can be reused for a regular file now seen with `status`.
    func reusable(_ path: [UInt8], status: FileStatus, needsPackageCheck: Bool) -> FileEntry? {
        while !exhausted {
            if position == batch.count {
                if !fetch() { return nil }
                continue
            }
            if CanonicalOrder.precedes(batch[position].path, path) {
                position += 1
                continue
            }
            break
        }
        guard !exhausted, batch[position].path == path else { return nil }
        let entry = batch[position]
        guard entry.device == status.device, entry.inode == status.inode, entry.size == status.size,
            entry.modified == status.modified, entry.changed == status.changed,
            status.modified < cutoff, status.changed < cutoff,
            !needsPackageCheck || entry.packageCheck != nil
        else { return nil }
        reused += 1
        return entry
    }

    /// Waits for the rest of the previous manifest to be read, which checks that every byte read was a byte whose
    /// signature was verified; throws when it was not (the manifest changed while being used) or was malformed.
    func finish() throws(DriftCheckError) {
        let failure: DriftCheckError? = monitor.locked {
            while !decoded && !stopped {
                // The walk is over: whatever is still queued will not be used.
                queue.removeAll()
                changed.broadcast()
                changed.wait()
            }
            return self.failure
        }
        joinDecoder()
        if let failure { throw failure }
    }

    /// Stops the decoding thread without waiting for the end (the scan failed or was cancelled).
    func stop() {
        monitor.locked {
            stopped = true
            changed.broadcast()
        }
        joinDecoder()
    }

    private func joinDecoder() {
        decoder?.join()
        decoder = nil
    }
}
