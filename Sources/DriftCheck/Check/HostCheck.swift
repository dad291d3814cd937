import Glibc

/// The work behind `driftcheck check`, the one command for cron and systemd timers: under a lock, scan this host,
/// compare it with its image's baseline, write the signed manifest and the JSON report into the reports directory
/// under timestamped names, and keep only the newest N of each.
package struct HostCheck {
    package var scan: ManifestScan
    package var comparison: Comparison
    package var reportsDirectory: String
    package var keep = 10
    /// Rehash everything after this many incremental runs or days since the last full scan (policy `full_rehash`).
    package var fullEveryRuns = 24
    package var fullEveryDays = 7
    /// Never reuse (`check --full`).
    package var forceFull = false
    /// Wait for a running check to finish instead of failing at once (`check --wait`).
    package var waitForLock = false
    /// Told when this run has to wait for another run's lock.
    package var onWaiting: (() -> Void)? = nil
    /// The mode of the report (the manifest's is the scan's).
    package var outputMode = AtomicFile.outputMode
    package var now = Int(time(nil))

    /// What one check produced.
    package struct Outcome {
        package var report: Report
        package var manifestPath: String
        package var reportPath: String
        package var statistics: ScanStatistics
    }

    package init(scan: ManifestScan, comparison: Comparison, reportsDirectory: String) {
        self.scan = scan
        self.comparison = comparison
        self.reportsDirectory = reportsDirectory
    }

    static let lockName = ".driftcheck.lock"
    static let manifestSuffix = ".manifest.jsonl"
    static let reportSuffix = ".report.json"

    /// The file-name stem of a run: host name (made safe) and UTC time, so names sort by time per host.
    static func stem(host: String, time: String) -> String {
        hostPrefix(host) + time.filter { $0 != "-" && $0 != ":" }
    }

    /// The start of every file name of `host`'s runs ("web-01-").
    static func hostPrefix(_ host: String) -> String {
        String(host.map { $0.isLetter || $0.isNumber || "-._".contains($0) ? $0 : "_" }) + "-"
    }

    /// Takes the reports directory's lock; when another run holds it, fails at once or, with `wait`, waits for it.
    static func lock(_ directory: String, wait: Bool = false, onWaiting: (() -> Void)? = nil) throws(DriftCheckError)
        -> Int32
    {
        let path = "\(directory)/\(lockName)"
        let descriptor: Int32
        switch SystemCalls.open(path, flags: O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode: 0o600) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot open the lock file: \(error)")
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return descriptor }
        var error = Errno.current
        if error.rawValue == EWOULDBLOCK && wait {
            onWaiting?()
            repeat {
                if flock(descriptor, LOCK_EX) == 0 { return descriptor }
                error = Errno.current
            } while error == .interrupted
        }
        close(descriptor)
        if error.rawValue == EWOULDBLOCK {
            throw DriftCheckError(
                .io, path: path, "another driftcheck check is running (it holds this lock); use --wait to queue")
        }
        throw DriftCheckError(.io, path: path, "cannot lock: \(error)")
    }

    /// Refuses a reports directory that others may write to: anyone could plant files (or links) where the signed
    /// results are kept, and remove them.
    static func refuseSharedDirectory(_ directory: String) throws(DriftCheckError) {
        var status = stat()
        guard lstat(directory, &status) == 0 else {
            throw DriftCheckError(.io, path: directory, "cannot read the reports directory: \(Errno.current)")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw DriftCheckError(.usage, path: directory, "the reports directory is not a directory (or is a link)")
        }
        if status.st_mode & 0o002 != 0 {
            throw DriftCheckError(
                .usage, path: directory,
                "the reports directory is writable by others; give driftcheck a directory of its own (chmod o-w)")
        }
    }

    private static func names(in directory: String) -> [String] {
        (try? SystemCalls.directoryNames(atPath: directory).get()) ?? []
    }

    /// Removes what killed runs left (temporary files) and all but the newest `keep` manifests and reports.
    /// Runs under the lock, so no other run is writing.
    static func prune(_ directory: String, keep: Int) {
        let names = Self.names(in: directory)
        for name in names where name.hasPrefix(".") && name.contains(".tmp-") { unlink("\(directory)/\(name)") }
        for suffix in [manifestSuffix, reportSuffix] {
            let runs = names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted()
            for name in runs.dropLast(keep) {
                unlink("\(directory)/\(name)")
                if suffix == manifestSuffix { unlink("\(directory)/\(name).sig") }
            }
        }
        // A signature whose manifest is gone (a run killed between the two renames) is removed too.
        for name in Self.names(in: directory) where name.hasSuffix(manifestSuffix + ".sig") {
            if access("\(directory)/\(String(name.dropLast(4)))", F_OK) != 0 { unlink("\(directory)/\(name)") }
        }
    }

    /// The newest manifest of this host to reuse hashes from, or nil when this run must rehash everything: there is
    /// none, or `fullEveryRuns` incremental runs have passed, or the last full scan is `fullEveryDays` old.
    func previousForReuse(_ stemPrefix: String, key: Ed25519Key) -> String? {
        guard !forceFull else { return nil }
        let manifests = Self.names(in: reportsDirectory)
            .filter { $0.hasPrefix(stemPrefix) && $0.hasSuffix(Self.manifestSuffix) }.sorted()
        guard let newest = manifests.last else { return nil }
        var incrementalRuns = 0
        for name in manifests.reversed() {
            guard let reader = try? ManifestReader.open("\(reportsDirectory)/\(name)", trustedKeys: [key]) else {
                return nil
            }
            if !reader.header.incremental {
                let age = BaselineStore.days(since: reader.header.time, now: now) ?? Int.max
                if incrementalRuns + 1 >= fullEveryRuns || age >= fullEveryDays { return nil }
                return "\(reportsDirectory)/\(newest)"
            }
            incrementalRuns += 1
        }
        // Only incremental manifests are kept: the last full one was pruned long ago.
        return nil
    }

    package func run() throws(DriftCheckError) -> Outcome {
        // An exposed or foreign key is refused before anything is created, locked or pruned.
        let key = try KeyFiles.loadPrivateKey(scan.keyPath)
        if mkdir(reportsDirectory, 0o750) != 0 && errno != EEXIST {
            throw DriftCheckError(.io, path: reportsDirectory, "cannot create the reports directory: \(Errno.current)")
        }
        try Self.refuseSharedDirectory(reportsDirectory)
        let lock = try Self.lock(reportsDirectory, wait: waitForLock, onWaiting: onWaiting)
        defer { close(lock) }
        Self.prune(reportsDirectory, keep: Int.max)
        // Names carry the time to the second; a run queued behind another (--wait) may start within the same
        // second, so it waits for a fresh name rather than replace the other's results.
        var stem = Self.stem(host: scan.host, time: HostInfo.now)
        while access("\(reportsDirectory)/\(stem)\(Self.manifestSuffix)", F_OK) == 0
            || access("\(reportsDirectory)/\(stem)\(Self.reportSuffix)", F_OK) == 0
        {
            usleep(100_000)
            stem = Self.stem(host: scan.host, time: HostInfo.now)
        }
        var scan = self.scan
        scan.outputPath = "\(reportsDirectory)/\(stem)\(Self.manifestSuffix)"
        scan.reusePath = previousForReuse(Self.hostPrefix(scan.host), key: key)
        let statistics = try scan.run()
        var comparison = self.comparison
        comparison.hostPath = scan.outputPath
        comparison.now = Int(time(nil))  // after any wait for the lock: the manifest's time is later than the start
        // The manifest this run just signed is trusted through the key that signed it.
        comparison.trust.extraHostKeys.append(key)
        let report = try comparison.run()
        let reportPath = "\(reportsDirectory)/\(stem)\(Self.reportSuffix)"
        try AtomicFile.write(JSONReportRenderer.render(report), to: reportPath, mode: outputMode)
        Self.prune(reportsDirectory, keep: max(1, keep))
        return Outcome(report: report, manifestPath: scan.outputPath, reportPath: reportPath, statistics: statistics)
    }
}
