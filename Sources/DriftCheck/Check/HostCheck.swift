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
    /// Where to push the report after writing it (`--push`); nil: keep it here only.
    package var push: PushSettings? = nil

    package struct Outcome {
        package var report: Report
        /// What the push did (nil without --push).
        package var push: PushSummary?
        package var manifestPath: String
        package var reportPath: String
        package var statistics: ScanStatistics
    }

    package init(scan: ManifestScan, comparison: Comparison, reportsDirectory: String) {
        self.scan = scan
        self.comparison = comparison
        self.reportsDirectory = reportsDirectory
    }

    /// The newest manifest of this host to reuse hashes from, or nil when this run must rehash everything: there is
    /// none, or `fullEveryRuns` incremental runs have passed, or the last full scan is `fullEveryDays` old.
    ///
    /// Only the headers are read, newest first, until the last full scan; that one manifest's signature is then
    /// verified, since its header decides when the next full rehash is due. An edited header in between can only
    /// bring the full rehash forward. The manifest reused is verified by ``PreviousManifest``; when it does not
    /// verify, the scan hashes everything (``ManifestScan/rehashWhenReuseFails``) rather than fail every later check.
    func previousForReuse(_ directory: ReportsDirectory, hostPrefix: String, key: Ed25519Key) -> String? {
        guard !forceFull else { return nil }
        let manifests = directory.manifests(hostPrefix: hostPrefix)
        guard let newest = manifests.last else { return nil }
        var incrementalRuns = 0
        for name in manifests.reversed() {
            let path = "\(directory.path)/\(name)"
            guard let header = try? ManifestHeader.readUnverified(path) else { return nil }
            if header.incremental {
                incrementalRuns += 1
                continue
            }
            guard (try? DetachedSignature.verify(path, trustedKeys: [key])) != nil else { return nil }
            let age = BaselineStore.days(since: header.time, now: now) ?? Int.max
            if incrementalRuns + 1 >= fullEveryRuns || age >= fullEveryDays { return nil }
            return "\(directory.path)/\(newest)"
        }
        // Only incremental manifests are kept: the last full one was pruned long ago.
        return nil
    }

    /// The digests that decide which files' content the host manifest keeps: those of the baseline this check is
    /// about to compare with, when it can be found and verified now; nil (keep every file the policy wants)
    /// otherwise. The comparison verifies the baseline again on its own.
    func contentReference() -> [[UInt8]: [UInt8]]? {
        guard let keys = try? comparison.trust.baselineKeys() else { return nil }
        var path = comparison.baselinePath
        if path == nil, let image = scan.image,
            let store = try? BaselineStore(directory: comparison.baselinesDirectory, trustedKeys: keys)
        {
            path = store.baseline(for: image)?.path
        }
        guard let path, let reader = try? ManifestReader.open(path, trustedKeys: keys) else { return nil }
        return try? ContentCapture.reference(from: reader, policy: scan.contentCapture.policy)
    }

    package func run() throws(DriftCheckError) -> Outcome {
        // An exposed or foreign key is refused before anything is created, locked or pruned.
        let key = try KeyFiles.loadPrivateKey(scan.keyPath)
        let directory = ReportsDirectory(path: reportsDirectory)
        try directory.prepare()
        let lock = try directory.lock(wait: waitForLock, onWaiting: onWaiting)
        defer { withExtendedLifetime(lock) {} }
        directory.prune(keep: Int.max)
        let stem = directory.freshStem(host: scan.host)
        var scan = self.scan
        scan.outputPath = "\(reportsDirectory)/\(stem)\(ReportsDirectory.manifestSuffix)"
        scan.reusePath = previousForReuse(
            directory, hostPrefix: ReportsDirectory.hostPrefix(scan.host), key: key)
        scan.rehashWhenReuseFails = true
        scan.contentCapture.reference = contentReference()
        let statistics = try scan.run()
        var comparison = self.comparison
        comparison.hostPath = scan.outputPath
        // After any wait for the lock: the manifest's time is later than the start. A report is dated to the second,
        // and the collector takes a host's reports only in strictly increasing time: a run within the same second as
        // the previous report waits for the next one (never longer: a clock stepped back is not waited out).
        if let previous = directory.newestReportTime(hostPrefix: ReportsDirectory.hostPrefix(scan.host)),
            previous >= Int(time(nil)), previous - Int(time(nil)) <= 1
        {
            while Int(time(nil)) <= previous { usleep(50_000) }
        }
        comparison.now = Int(time(nil))
        // The manifest this run just signed is trusted through the key that signed it.
        comparison.trust.extraHostKeys.append(key)
        let report = try comparison.run()
        let reportPath = "\(reportsDirectory)/\(stem)\(ReportsDirectory.reportSuffix)"
        // Signed with the host's key, like the manifest: `fleet` and the collector count only reports that verify.
        try DetachedSignature.writeSigned(
            JSONReportRenderer.render(report), to: reportPath, with: key, mode: outputMode)
        directory.prune(keep: max(1, keep))
        // Still under the lock: two runs never push the spool at once, so reports reach the collector in order.
        var pushed: PushSummary? = nil
        if let push {
            let spool = ReportSpool(reportsDirectory: reportsDirectory)
            try spool.prepare()
            try spool.add(reportPath)
            pushed = ReportPusher(settings: push, key: key, host: scan.host).push(spool, keep: max(1, keep))
        }
        return Outcome(
            report: report, push: pushed, manifestPath: scan.outputPath, reportPath: reportPath,
            statistics: statistics)
    }
}
