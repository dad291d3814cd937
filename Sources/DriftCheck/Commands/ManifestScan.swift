#if canImport(Glibc)
    import Glibc
#endif

/// Scans a root into a signed manifest: the work behind `driftcheck scan` and `driftcheck baseline`.
package struct ManifestScan {
    package var options: FileScanner.Options
    package var image: String?
    package var host: String
    package var keyPath: String
    package var outputPath: String
    /// The collectors to run besides the file walk (default: all).
    package var collectors: [any Collector] = Collectors.all
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
        if let image, !ImageStamp.isValid(image) {
            throw DriftCheckError(
                .usage, "image id \"\(image)\" must be 1–200 characters of letters, digits and ._:/@+-")
        }
        let root = try RootDirectory(path: options.root)
        let collected = Collectors.run(collectors, root: root, loadDigests: verifyPackages)
        var options = options
        options.packageFiles = collected.packageFiles
        var header = ManifestHeader(
            image: image, host: host, time: HostInfo.now, tool: HostInfo.toolVersion, root: options.root,
            collectors: ["files"] + collectors.map(\.name), crossMounts: options.crossMounts)
        header.found = collected.found
        header.live = root.isLiveRoot
        let writer = try ManifestWriter(path: outputPath, header: header)
        if let identity = writer.identity { options.excluded.insert(identity) }
        // Records whose kind sorts before "file" go first, the walk's file entries next, the rest last.
        let fileKind = Array(ManifestEntry.fileKind.utf8)
        let (before, after) = collected.records.reduce(into: ([RecordEntry](), [RecordEntry]())) { parts, record in
            if Array(record.kind.utf8).lexicographicallyPrecedes(fileKind) {
                parts.0.append(record)
            } else {
                parts.1.append(record)
            }
        }
        for record in before { try writer.append(.record(record)) }
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
        for record in after { try writer.append(.record(record)) }
        statistics.records = collected.records.count
        try writer.finish(signingWith: key)
        return statistics
    }
}

/// Verifies two manifests and compares them: the work behind `driftcheck compare`.
package struct ManifestComparison {
    package var baselinePath: String
    package var hostPath: String
    package var trustedKeyPaths: [String]
    /// Ports and modules a live host may have (see ``LiveAllowlist``).
    package var allowlistPath: String? = nil

    package init(baselinePath: String, hostPath: String, trustedKeyPaths: [String]) {
        self.baselinePath = baselinePath
        self.hostPath = hostPath
        self.trustedKeyPaths = trustedKeyPaths
    }

    /// Loads the trusted keys, verifies both signatures before reading either manifest, and compares them.
    package func run() throws(DriftCheckError) -> Report {
        let keys = try ManifestComparison.loadTrustedKeys(trustedKeyPaths)
        let allowlist = try allowlistPath.map(LiveAllowlist.load) ?? LiveAllowlist()
        let baselineSignature = try ManifestSignature.verify(baselinePath, trustedKeys: keys)
        let hostSignature = try ManifestSignature.verify(hostPath, trustedKeys: keys)
        let baseline = try ManifestReader(verified: baselineSignature)
        let host = try ManifestReader(verified: hostSignature)
        return try Report.compare(
            baseline: baseline, host: host, generated: HostInfo.now, tool: HostInfo.toolVersion, allowlist: allowlist)
    }

    static func loadTrustedKeys(_ paths: [String]) throws(DriftCheckError) -> [Ed25519Key] {
        guard !paths.isEmpty else {
            throw DriftCheckError(.usage, "at least one --pubkey is needed to trust a manifest")
        }
        var keys: [Ed25519Key] = []
        for path in paths { keys.append(try KeyFiles.loadPublicKey(path)) }
        return keys
    }

    /// Verifies one manifest completely: signature, then every line and the end line. Returns the reader's facts.
    package static func verify(_ path: String, trustedKeyPaths: [String]) throws(DriftCheckError) -> ManifestSource {
        let keys = try loadTrustedKeys(trustedKeyPaths)
        let reader = try ManifestReader.open(path, trustedKeys: keys)
        while try reader.next() != nil {}
        return ManifestSource(
            path: path, header: reader.header, keyID: reader.keyID, entries: reader.trailer?.entries ?? 0)
    }
}
