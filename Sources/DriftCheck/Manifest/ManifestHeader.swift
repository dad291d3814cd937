import Glibc

/// Line 1 of a manifest: what was scanned, where, when and by what.
package struct ManifestHeader: Equatable, Sendable {
    /// The format identifier this version reads and writes.
    package static let format = "driftcheck-manifest/1"

    /// Baseline or host manifest; nil in manifests written before the role was recorded.
    package var role: ManifestRole? = nil
    /// The image this manifest belongs to (a baseline's own id, or the id a host was built from), if known.
    package var image: String?
    package var host: String
    /// UTC time the scan started, ISO 8601 ("2026-11-22T22:28:29Z").
    package var time: String
    package var tool: String
    /// The directory that was scanned as "/" (the live root, or an image rootfs).
    package var root: String
    /// What was collected ("files"; later collectors add their kinds).
    package var collectors: [String]
    /// Whether the scan crossed into other (non-pseudo) filesystems.
    package var crossMounts: Bool
    /// How many records each collector found; a zero means its source is absent in this root.
    package var found: [(collector: String, count: Int)] = []
    /// True when the root was the running system's `/` (live-only collectors ran).
    package var live = false
    /// SHA-256 of the effective policy when the manifest was made.
    package var policy: String? = nil
    /// When the scan started, to the nanosecond (the incremental scan's racy-entry cutoff).
    package var started: Timestamp? = nil
    /// True when hashes were reused from a previous manifest (`--reuse`).
    package var incremental = false

    package static func == (lhs: ManifestHeader, rhs: ManifestHeader) -> Bool {
        lhs.role == rhs.role && lhs.image == rhs.image && lhs.host == rhs.host && lhs.time == rhs.time
            && lhs.tool == rhs.tool
            && lhs.root == rhs.root && lhs.collectors == rhs.collectors && lhs.crossMounts == rhs.crossMounts
            && lhs.found.map(\.collector) == rhs.found.map(\.collector)
            && lhs.found.map(\.count) == rhs.found.map(\.count)
            && lhs.live == rhs.live && lhs.policy == rhs.policy && lhs.started == rhs.started
            && lhs.incremental == rhs.incremental
    }

    package init(
        image: String?, host: String, time: String, tool: String, root: String, collectors: [String],
        crossMounts: Bool
    ) {
        self.image = image
        self.host = host
        self.time = time
        self.tool = tool
        self.root = root
        self.collectors = collectors
        self.crossMounts = crossMounts
    }
}

extension ManifestHeader {
    /// The header of the manifest at `path`, read from its first line alone, without verifying its signature: for
    /// decisions that a forged header cannot turn against the host (see ``HostCheck``).
    static func readUnverified(_ path: String) throws(DriftCheckError) -> ManifestHeader {
        let file: FileDescriptor
        switch SystemCalls.open(path, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW) {
        case .success(let opened): file = opened
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot open: \(error)")
        }
        let limit = 64 * 1024
        var bytes = [UInt8](repeating: 0, count: limit)
        let count = bytes.withUnsafeMutableBytes { raw in
            SystemCalls.read(file, into: raw.baseAddress!, count: raw.count, at: 0)
        }
        guard case .success(let length) = count, let end = bytes[0..<length].firstIndex(of: 0x0A) else {
            throw DriftCheckError(.malformed, path: path, "no header line in its first \(limit) bytes")
        }
        do {
            return try ManifestEncoding.decodeHeader(try JSONParser.parse(Array(bytes[0..<end])))
        } catch {
            throw DriftCheckError(.malformed, path: path, "not a driftcheck manifest header: \(error)")
        }
    }
}
