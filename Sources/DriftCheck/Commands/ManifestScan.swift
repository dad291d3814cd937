#if canImport(Glibc)
    import Glibc
#endif

/// Scans a root into a signed manifest: the work behind `driftcheck scan` and `driftcheck baseline`.
package struct ManifestScan {
    package var options: FileScanner.Options
    package var image: String?
    package var host: String
    /// Baseline (`driftcheck baseline`) or host manifest (`scan`, `check`), recorded in the header.
    package var role = ManifestRole.host
    /// The mode of the manifest and its signature.
    package var outputMode = AtomicFile.outputMode
    package var keyPath: String
    package var outputPath: String
    /// The collectors to run besides the file walk (default: all).
    package var collectors: [any Collector] = Collectors.all
    /// The digest of the policy in force, recorded in the header.
    package var policyDigest = PolicyRenderer.digest(DefaultPolicy.policy)
    /// Run at nice 19 in the idle I/O class (production hosts: the scan yields to the workload and takes longer).
    package var nice = false
    /// Called when the kernel refuses to lower the priority.
    package var onNiceRefused: (() -> Void)? = nil
    /// A previous manifest of the same root (signed by the same key) whose unchanged files keep their hashes.
    package var reusePath: String? = nil
    /// Check package-owned files against their package database's digests (dpkg md5sums, rpm SHA-256).
    package var verifyPackages = false
    /// Told about each package-owned file that fails its package's digest, as the scan finds it.
    package var onPackageMismatch: ((FileEntry) -> Void)? = nil

    package init(options: FileScanner.Options, image: String?, host: String, keyPath: String, outputPath: String) {
        self.options = options
        self.image = image
        self.host = host
        self.keyPath = keyPath
        self.outputPath = outputPath
    }

    /// Loads the key (refusing an exposed one before anything is written), scans, writes and signs the manifest.
    package func run() throws(DriftCheckError) -> ScanStatistics {
        let key = try KeyFiles.loadPrivateKey(keyPath)
        if nice && !SystemCalls.beNice() { onNiceRefused?() }
        let started = Timestamp.now
        // Only a manifest this key signed is trusted to supply hashes: a planted one could hide changed files.
        // It is verified and decoded on a thread of its own, while the collectors run.
        let previous = reusePath.map { PreviousManifest(path: $0, trustedKeys: [key]) }
        defer { previous?.stop() }
        if let image, !ImageStamp.isValid(image) {
            throw DriftCheckError(
                .usage, "image id \"\(image)\" must be 1–200 characters of letters, digits and ._:/@+-")
        }
        let root = try RootDirectory(path: options.root)
        let collected = Collectors.run(collectors, root: root, loadDigests: verifyPackages)
        try previous?.waitUntilOpen()
        var options = options
        options.packageFiles = collected.packageFiles
        options.previous = previous
        options.verifyingPackages = verifyPackages
        var header = ManifestHeader(
            image: image, host: host, time: HostInfo.now, tool: HostInfo.toolVersion, root: options.root,
            collectors: ["files"] + collectors.map(\.name), crossMounts: options.crossMounts)
        header.found = collected.found
        header.policy = policyDigest
        header.started = started
        header.incremental = previous != nil
        header.role = role
        header.live = root.isLiveRoot
        return try Self.writeManifest(
            header: header, records: collected.records, to: outputPath, mode: outputMode, key: key
        ) { writer throws(DriftCheckError) in
            if let identity = writer.identity { options.excluded.insert(identity) }
            var statistics = try scanFiles(options, collected: collected, root: root, into: writer)
            try previous?.finish()
            statistics.records = collected.records.count
            return statistics
        }
    }

    /// Writes a manifest: the header, the records whose kind sorts before "file", the file entries `files` appends,
    /// the other records, the end line; then signs it. Shared by the scan of a directory and of an image archive.
    static func writeManifest(
        header: ManifestHeader, records: [RecordEntry], to path: String, mode: mode_t, key: Ed25519Key,
        files: (ManifestWriter) throws(DriftCheckError) -> ScanStatistics
    ) throws(DriftCheckError) -> ScanStatistics {
        let writer = try ManifestWriter(path: path, header: header, mode: mode)
        let fileKind = Array(ManifestEntry.fileKind.utf8)
        let (before, after) = records.reduce(into: ([RecordEntry](), [RecordEntry]())) { parts, record in
            if Array(record.kind.utf8).lexicographicallyPrecedes(fileKind) {
                parts.0.append(record)
            } else {
                parts.1.append(record)
            }
        }
        for record in before { try writer.append(.record(record)) }
        let statistics = try files(writer)
        for record in after { try writer.append(.record(record)) }
        try writer.finish(signingWith: key, reused: statistics.reused)
        return statistics
    }

    /// The walk's part of a scan: every file entry, and debsums' "missing" package files.
    private func scanFiles(
        _ options: FileScanner.Options, collected: CollectedState, root: RootDirectory, into writer: ManifestWriter
    ) throws(DriftCheckError) -> ScanStatistics {
        var mismatches = 0
        var checked = Set<[UInt8]>()
        var statistics = try FileScanner.scan(options) { entry throws(DriftCheckError) in
            if entry.packageCheck != nil { checked.insert(entry.path) }
            if entry.packageCheck == "mismatch" {
                mismatches += 1
                onPackageMismatch?(entry)
            }
            try writer.append(.file(entry))
        }
        // What debsums calls a missing file: recorded by a package, absent from the root.
        for path in collected.packageFiles.pathsWithDigests where !checked.contains(path) {
            let usrPath = Array("/usr".utf8) + path
            let relative = String(decoding: path.dropFirst(), as: UTF8.self)
            guard !checked.contains(usrPath), root.status(relative) == nil, root.status("usr/" + relative) == nil,
                let owner = collected.packageFiles.owner(of: path)
            else { continue }
            mismatches += 1
            var missing = FileEntry(path: path, status: FileStatus(stat()))
            missing.type = .unknown
            missing.package = owner.package
            missing.error = "missing"
            onPackageMismatch?(missing)
        }
        statistics.packageMismatches = mismatches
        return statistics
    }
}

/// Verifies two manifests and compares them: the work behind `driftcheck compare`.
package struct ManifestComparison {
    /// The baseline; when nil, the newest baseline for the host's image id in `baselinesDirectory`.
    package var baselinePath: String?
    package var hostPath: String
    /// Which keys may sign the baseline and the host manifest, and what else the host manifest must satisfy.
    package var trust: TrustRoots
    /// Ports and modules a live host may have (see ``LiveAllowlist``), besides the policy's `allow`.
    package var allowlistPath: String? = nil
    /// A policy file; nil means the built-in default policy.
    package var policyPath: String? = nil
    /// Where baselines live: used to find the baseline and to see whether the image was superseded.
    package var baselinesDirectory = "baselines"
    /// Seconds since the epoch, for the image's age.
    package var now = Int(time(nil))
    /// Told about what an operator should know but that does not stop the comparison (a baseline that did not
    /// verify and was skipped).
    package var onWarning: ((String) -> Void)? = nil
    /// Told which baseline was chosen and which keys signed both sides.
    package var onDetail: ((String) -> Void)? = nil

    package init(baselinePath: String?, hostPath: String, trust: TrustRoots) {
        self.baselinePath = baselinePath
        self.hostPath = hostPath
        self.trust = trust
    }

    /// Loads keys and policy, verifies both signatures and the host manifest's role, host and age before reading
    /// either manifest's entries, and compares.
    package func run() throws(DriftCheckError) -> Report {
        let hostKeys = try trust.hostKeys()
        let baselineKeys = try trust.baselineKeys()
        let policy = try PolicyLoader.load(policyPath)
        let allowlist = try allowlistPath.map(LiveAllowlist.load) ?? LiveAllowlist()
        // A baseline named on the command line is verified on a second core while the host manifest is; the host's
        // failures are still reported first.
        let namedBaseline = baselinePath.map { path in
            BackgroundResult { () throws(DriftCheckError) in try ManifestReader.open(path, trustedKeys: baselineKeys) }
        }
        // Joined on every way out: an error must not reach exit while that thread is still inside OpenSSL.
        defer { _ = try? namedBaseline?.value() }
        let host = try ManifestReader.open(hostPath, trustedKeys: hostKeys)
        try trust.checkHost(host.header, path: hostPath, now: now)
        var store: BaselineStore? = nil
        var isDirectory = stat()
        if stat(baselinesDirectory, &isDirectory) == 0, isDirectory.st_mode & S_IFMT == S_IFDIR {
            store = try BaselineStore(directory: baselinesDirectory, trustedKeys: baselineKeys)
            for skipped in store?.skipped ?? [] { onWarning?("skipped a baseline: \(skipped)") }
        }
        let chosen: String
        if let baselinePath {
            chosen = baselinePath
        } else {
            guard let image = host.header.image else {
                throw DriftCheckError(
                    .usage, path: hostPath, "names no image id, so its baseline cannot be found; give --baseline")
            }
            guard let store else {
                throw DriftCheckError(
                    .usage, path: baselinesDirectory, "no --baseline given and no baselines directory here")
            }
            guard let found = store.baseline(for: image) else {
                throw DriftCheckError(
                    .usage, path: baselinesDirectory, "holds no verified baseline for image \"\(image)\"")
            }
            chosen = found.path
        }
        let baseline: ManifestReader
        if let namedBaseline {
            baseline = try namedBaseline.value()
        } else {
            baseline = try ManifestReader.open(chosen, trustedKeys: baselineKeys)
        }
        onDetail?(
            "baseline \(chosen) (image \(baseline.header.image ?? "none"), key \(baseline.keyID)); "
                + "host manifest \(hostPath) (host \(host.header.host), key \(host.keyID))")
        var report = try Report.compare(
            baseline: baseline, host: host, generated: HostInfo.now, tool: HostInfo.toolVersion, policy: policy,
            allowlist: allowlist)
        report.lifecycle.supersededBy = store?.newer(than: baseline.header)?.header.image
        report.lifecycle.ageDays = BaselineStore.days(since: baseline.header.time, now: now)
        return report
    }

    /// Verifies one manifest completely: signature, then every line and the end line. Returns the reader's facts.
    package static func verify(_ path: String, trustedKeyPaths: [String]) throws(DriftCheckError) -> ManifestSource {
        let keys = try TrustRoots.load(trustedKeyPaths, for: "manifests", options: "--pubkey")
        let reader = try ManifestReader.open(path, trustedKeys: keys)
        while try reader.next() != nil {}
        return ManifestSource(
            path: path, header: reader.header, keyID: reader.keyID, entries: reader.trailer?.entries ?? 0)
    }
}
