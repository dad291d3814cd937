import Glibc

/// The baseline of a container image read from a file (``ImageArchive``): the work behind
/// `driftcheck baseline --image-tar FILE`. The entries are those a scan of the unpacked tree records; the
/// collectors read the few files they need (package databases, accounts, units, crontabs) from a private
/// temporary copy of just those files, removed afterwards.
package struct ImageScan {
    package var archivePath: String
    package var image: String
    package var host: String
    package var keyPath: String
    package var outputPath: String
    package var outputMode = AtomicFile.outputMode
    package var policyDigest = PolicyRenderer.digest(DefaultPolicy.policy)
    /// Which files' content the baseline keeps (the policy's `content:`).
    package var contentCapture = ContentCapture(policy: ContentPolicy())
    /// The collectors to run (live-only ones find nothing in an image).
    package var collectors: [any Collector] = Collectors.all

    package init(archivePath: String, image: String, host: String, keyPath: String, outputPath: String) {
        self.archivePath = archivePath
        self.image = image
        self.host = host
        self.keyPath = keyPath
        self.outputPath = outputPath
    }

    /// Paths below these hold what the collectors read.
    static let collectorPrefixes = [
        "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/crontab", "/etc/cron.", "/etc/init.d",
        "/etc/rc", "/etc/systemd", "/etc/driftcheck", "/var/spool/cron", "/var/lib/dpkg", "/var/lib/rpm",
        "/lib/apk/db", "/lib/systemd", "/usr/lib/systemd", "/usr/local/lib/systemd", "/usr/lib/sysimage/rpm",
        "/run/systemd",
    ].map { Array($0.utf8) }

    /// The top-level links that tell a merged /usr.
    static let mergedUsrLinks = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"].map { Array($0.utf8) }

    static func collectorsRead(_ path: [UInt8]) -> Bool {
        mergedUsrLinks.contains(path) || collectorPrefixes.contains { path.starts(with: $0) }
    }

    package func run() throws(DriftCheckError) -> ScanStatistics {
        let key = try KeyFiles.loadPrivateKey(keyPath)
        guard ImageStamp.isValid(image) else {
            throw DriftCheckError(
                .usage, "image id \"\(image)\" must be 1–200 characters of letters, digits and ._:/@+-")
        }
        let started = Timestamp.now
        let content = contentCapture.policy
        let tree = try ImageArchive.read(archivePath) { path, size in
            Self.collectorsRead(path)
                || (size <= Int64(content.maximumSize) && content.paths.contains { $0.matches(path) })
        }
        let entries = tree.entries()
        let collected = try Self.collect(entries, contents: tree.contents, collectors)
        var header = ManifestHeader(
            image: image, host: host, time: HostInfo.now, tool: HostInfo.toolVersion, root: archivePath,
            collectors: ["files"] + collectors.map(\.name), crossMounts: false)
        header.found = collected.found
        header.policy = policyDigest
        header.started = started
        header.role = .baseline
        return try ManifestScan.writeManifest(
            header: header, records: collected.records, to: outputPath, mode: outputMode, key: key
        ) { writer throws(DriftCheckError) in
            var statistics = ScanStatistics()
            var reach = WorldReach()
            for var entry in entries {
                let reachable = reach.visit(entry)
                if let owner = collected.packageFiles.owner(of: entry.path) {
                    entry.package = owner.package
                    entry.conffile = owner.conffile
                }
                if let bytes = tree.contents[entry.path] {
                    entry.content = contentCapture.content(for: entry, reachable: reachable, bytes: bytes)
                    if entry.content != nil { statistics.contentsKept += 1 }
                }
                statistics.entries += 1
                if entry.type == .file {
                    statistics.regularFiles += 1
                    statistics.bytesHashed += entry.size
                }
                try writer.append(.file(entry))
            }
            statistics.records = collected.records.count
            return statistics
        }
    }

    /// Runs the collectors over a private copy of the files they read, then removes it.
    static func collect(_ entries: [FileEntry], contents: [[UInt8]: [UInt8]], _ collectors: [any Collector])
        throws(DriftCheckError) -> CollectedState
    {
        var template = Array("/tmp/driftcheck-image-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else {
            throw DriftCheckError(.io, path: "/tmp", "cannot make a temporary directory: \(Errno.current)")
        }
        let directory = String(cString: template)
        defer { TemporaryTree.remove(directory) }
        for entry in entries where collectorsRead(entry.path) {
            // Only names that survive as text unchanged: two raw names must never become one path here.
            guard TerminalText.isValidUTF8(entry.path), !entry.path.contains(0) else { continue }
            let path = directory + String(decoding: entry.path, as: UTF8.self)
            // Every directory on the way must be a real directory made here, never a link from the image.
            guard Self.makeParents(of: path, below: directory) else { continue }
            switch entry.type {
            case .dir: _ = SystemCalls.makeDirectory(path, mode: 0o700)
            case .symlink: symlink(String(decoding: entry.target ?? [], as: UTF8.self), path)
            case .file:
                let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
                guard case .success(let descriptor) = SystemCalls.open(path, flags: flags, mode: 0o600) else {
                    continue
                }
                if let bytes = contents[entry.path] {
                    _ = bytes.withUnsafeBytes { SystemCalls.writeAll(descriptor, $0) }
                }
            default: continue
            }
        }
        return Collectors.run(collectors, root: try RootDirectory(path: directory), loadDigests: false)
    }

    /// Creates the missing directories above `path` (below `top`); false when a component on the way exists and is
    /// not a directory (a link the image put there), so nothing is ever written through it.
    static func makeParents(of path: String, below top: String) -> Bool {
        let relative = path.dropFirst(top.count).split(separator: "/").dropLast()
        var current = top
        for component in relative {
            current += "/" + component
            if !SystemCalls.exists(current), case .failure = SystemCalls.makeDirectory(current, mode: 0o700) {
                return false
            }
            guard case .success(let status) = SystemCalls.status(atPath: current), status.type == .dir else {
                return false
            }
        }
        return true
    }
}

/// Removes a directory tree this process made, never following a link.
enum TemporaryTree {
    static func remove(_ path: String) {
        guard case .success(let status) = SystemCalls.status(atPath: path) else { return }
        if status.type == .dir {
            for name in (try? SystemCalls.directoryNames(atPath: path).get()) ?? [] { remove(path + "/" + name) }
            rmdir(path)
        } else {
            SystemCalls.remove(path)
        }
    }
}
