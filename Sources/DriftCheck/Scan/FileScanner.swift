import Glibc

/// Scans a tree: one walker thread, one hashing thread per core, and the caller's thread consuming entries in
/// canonical order (typically writing them to a manifest).
package struct FileScanner {
    /// How to scan.
    package struct Options: Sendable {
        /// The directory that becomes "/" in the manifest.
        package var root: String
        /// Descend into other filesystems mounted below the root (pseudo filesystems are still skipped).
        package var crossMounts = false
        /// Hashing threads; defaults to the number of online cores.
        package var jobs = FileScanner.onlineCores
        /// Which package owns each path (from the collectors), noted on the entries.
        package var packageFiles = PackageFileIndex()
        /// The previous manifest of this root, whose unchanged files' hashes are reused.
        var previous: PreviousManifest? = nil
        /// Whether package checksums are being verified (a reused entry must carry its check).
        package var verifyingPackages = false
        /// Objects to leave out of the scan: the manifest being written.
        package var excluded: Set<FileIdentity> = []
        /// Called with each regular file's path just before it is opened (tests use it to race the scanner).
        package var beforeOpen: (@Sendable ([UInt8]) -> Void)? = nil
        /// Counters for a progress display.
        package var progress: ScanProgress? = nil

        package init(root: String) {
            self.root = root
        }
    }

    package static var onlineCores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Scans `options.root`, calling `consume` with every entry in canonical order. When `consume` throws, the scan
    /// stops and the error is rethrown.
    package static func scan(
        _ options: Options, consume: (FileEntry) throws(DriftCheckError) -> Void
    ) throws(DriftCheckError) -> ScanStatistics {
        SystemCalls.raiseDescriptorLimit()
        let root: FileDescriptor
        switch SystemCalls.open(options.root, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC) {
        case .success(let descriptor): root = descriptor
        case .failure(let error): throw DriftCheckError(.io, path: options.root, "cannot open the scan root: \(error)")
        }

        let pipeline = ScanPipeline(capacity: 8192)
        let crossMounts = options.crossMounts
        let beforeOpen = options.beforeOpen
        let packageFiles = options.packageFiles
        let excluded = options.excluded
        let previous = options.previous
        let verifying = options.verifyingPackages
        let progress = options.progress
        let walker = JoinableThread {
            let batch = WalkerBatch(pipeline)
            var walker = Walker(
                crossMounts: crossMounts, packageFiles: packageFiles, excluded: excluded, previous: previous,
                verifyingPackages: verifying, beforeOpen: beforeOpen, submit: batch.add)
            walker.progress = progress
            walker.walk(root: root)
            batch.flush()
            pipeline.finishWalking()
        }
        let hashedBytes = HashedByteCounter()
        let hashers = (0..<max(1, options.jobs)).map { _ in
            JoinableThread {
                let hasher = FileHasher()
                hasher.progress = progress
                var taken: [(index: Int, job: HashJob)] = []
                var results: [HashResult] = []
                while pipeline.nextJobs(&taken) {
                    results.removeAll(keepingCapacity: true)
                    for (_, job) in taken { results.append(hasher.hash(job)) }
                    pipeline.complete(taken, with: results)
                    taken.removeAll(keepingCapacity: true)  // closes the files just hashed
                }
                hashedBytes.add(hasher.bytesHashed)
            }
        }
        var statistics = ScanStatistics()
        var failure: DriftCheckError? = nil
        var ready: [FileEntry] = []
        ready.reserveCapacity(ScanPipeline.batchSize)
        consuming: while pipeline.nextEntries(&ready) {
            for entry in ready {
                statistics.entries += 1
                progress?.recorded()
                if entry.type == .file { statistics.regularFiles += 1 }
                if entry.error != nil { statistics.errors += 1 }
                do {
                    try consume(entry)
                } catch {
                    failure = error
                    pipeline.cancel()
                    break consuming
                }
            }
        }
        walker.join()
        for hasher in hashers { hasher.join() }
        if let failure { throw failure }
        statistics.bytesHashed = hashedBytes.total
        statistics.reused = previous?.reused ?? 0
        return statistics
    }
}

/// The walker's side of the pipeline: collects entries and hands them over ``ScanPipeline/batchSize`` at a time.
private final class WalkerBatch: @unchecked Sendable {
    private let pipeline: ScanPipeline
    private var items: [(entry: FileEntry, job: HashJob?)] = []
    private var cancelled = false

    init(_ pipeline: ScanPipeline) {
        self.pipeline = pipeline
        items.reserveCapacity(ScanPipeline.batchSize)
    }

    /// Adds an entry; false when the scan was cancelled (the job, and its descriptor, is then dropped).
    func add(_ entry: FileEntry, job: HashJob?) -> Bool {
        if cancelled { return false }
        items.append((entry, job))
        if items.count == ScanPipeline.batchSize { flush() }
        return !cancelled
    }

    /// Hands over what was collected.
    func flush() {
        if !items.isEmpty && !pipeline.submit(&items) { cancelled = true }
    }
}

/// Sums the bytes each hashing thread read.
private final class HashedByteCounter: @unchecked Sendable {
    private let monitor = Monitor()
    private var sum: Int64 = 0

    func add(_ bytes: Int64) { monitor.locked { sum += bytes } }
    var total: Int64 { monitor.locked { sum } }
}
