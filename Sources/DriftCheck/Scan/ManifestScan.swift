import Glibc

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
    /// When the previous manifest does not verify: hash everything (`check`, which chose it itself) instead of
    /// failing (`scan --reuse`, where the operator named it).
    package var rehashWhenReuseFails = false
    /// Told why the previous manifest was not used, when ``rehashWhenReuseFails`` let the scan go on.
    package var onReuseRefused: ((DriftCheckError) -> Void)? = nil
    /// Check package-owned files against their package database's digests (dpkg md5sums, rpm SHA-256).
    package var verifyPackages = false
    /// Told about each package-owned file that fails its package's digest, as the scan finds it.
    package var onPackageMismatch: ((PackageMismatch) -> Void)? = nil
    /// Which files' content the manifest keeps (the policy's `content:`).
    package var contentCapture = ContentCapture(policy: ContentPolicy())

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
        var previous = reusePath.map { PreviousManifest(path: $0, trustedKeys: [key]) }
        defer { previous?.stop() }
        if let image, !ImageStamp.isValid(image) {
            throw DriftCheckError(
                .usage, "image id \"\(image)\" must be 1–200 characters of letters, digits and ._:/@+-")
        }
        let root = try RootDirectory(path: options.root)
        let collected = Collectors.run(collectors, root: root, loadDigests: verifyPackages)
        do {
            try previous?.waitUntilOpen()
        } catch  where rehashWhenReuseFails {
            previous?.stop()
            previous = nil
            onReuseRefused?(error)
        }
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
        let fileKind = Array(EntryKind.file.name.utf8)
        let (before, after) = records.reduce(into: ([RecordEntry](), [RecordEntry]())) { parts, record in
            if Array(record.kind.name.utf8).lexicographicallyPrecedes(fileKind) {
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
        var kept = 0
        var reach = WorldReach()
        var checked = Set<[UInt8]>()
        var statistics = try FileScanner.scan(options) { scanned throws(DriftCheckError) in
            var entry = scanned
            entry.content = contentCapture.content(for: entry, reachable: reach.visit(entry), in: root)
            if entry.content != nil { kept += 1 }
            if entry.packageCheck != nil { checked.insert(entry.path) }
            if entry.packageCheck == .mismatch {
                mismatches += 1
                onPackageMismatch?(
                    PackageMismatch(path: entry.path, package: entry.package ?? "?", problem: .contentDiffers))
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
            onPackageMismatch?(PackageMismatch(path: path, package: owner.package, problem: .missing))
        }
        statistics.packageMismatches = mismatches
        statistics.contentsKept = kept
        return statistics
    }
}
