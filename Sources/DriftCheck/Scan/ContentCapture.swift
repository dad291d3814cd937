/// Keeps the content of small text files in a manifest (gzip, under the manifest's signature), as the policy's
/// ``ContentPolicy`` says.
///
/// A baseline keeps every file the policy wants. A host manifest made against a reference (the baseline `check`
/// compares with) keeps only the files whose digest differs from the reference's, or that the reference lacks:
/// the report can then show both sides of what drifted, at the cost of a few kilobytes, not of a second copy of
/// `/etc` in every manifest. With no reference, a scan keeps everything the policy wants, like a baseline.
package struct ContentCapture: Sendable {
    package var policy: ContentPolicy
    /// Path → SHA-256 of the files of the reference manifest that the policy wants; nil: no reference.
    package var reference: [[UInt8]: [UInt8]]? = nil

    package init(policy: ContentPolicy) {
        self.policy = policy
    }

    /// The gzip-compressed content to keep for `entry` (which everyone can reach: `reachable`), read again through
    /// `root`, or nil. The bytes read must hash to the digest the scan recorded, so the content kept is the content
    /// the manifest describes.
    func content(for entry: FileEntry, reachable: Bool, in root: RootDirectory) -> [UInt8]? {
        guard reachable, policy.wants(entry), let digest = entry.sha256 else { return nil }
        if let reference, reference[entry.path] == digest { return nil }
        guard let relative = String(validating: entry.path.dropFirst(), as: UTF8.self),
            let bytes = root.read(relative, limit: policy.maximumSize)
        else { return nil }
        return Self.pack(bytes, digest: digest)
    }

    /// The gzip-compressed `bytes` to keep for `entry` (an image member's content), or nil: the policy does not
    /// want the file, the bytes do not hash to its digest, or they are not text or hold a secret.
    func content(for entry: FileEntry, reachable: Bool, bytes: [UInt8]) -> [UInt8]? {
        guard reachable, policy.wants(entry), let digest = entry.sha256 else { return nil }
        return Self.pack(bytes, digest: digest)
    }

    /// `bytes` gzip-compressed, when they hash to `digest` and ``ContentPolicy/accepts(_:)`` them.
    private static func pack(_ bytes: [UInt8], digest: [UInt8]) -> [UInt8]? {
        guard bytes.withUnsafeBytes({ SHA256Hasher.digest($0) }) == digest, ContentPolicy.accepts(bytes) else {
            return nil
        }
        return GzipStream.compress(bytes)
    }

    /// The content a manifest line kept, decompressed; nil when there is none, it is damaged, or it does not hash
    /// to the line's digest (a forged line cannot show one content and claim another's digest).
    package static func text(of entry: FileEntry) -> [UInt8]? {
        guard let packed = entry.content, let digest = entry.sha256, !entry.blockDigest,
            let bytes = MemoryStream.gunzip(packed, limit: ContentPolicy.sizeLimit, path: "content"),
            bytes.withUnsafeBytes({ SHA256Hasher.digest($0) }) == digest
        else { return nil }
        return bytes
    }

    /// The digests of the files `policy` wants in a verified manifest (the reference of a host scan).
    package static func reference(from reader: ManifestReader, policy: ContentPolicy) throws(DriftCheckError)
        -> [[UInt8]: [UInt8]]
    {
        var digests: [[UInt8]: [UInt8]] = [:]
        while let entry = try reader.next() {
            if case .file(let file) = entry, policy.wants(file), let digest = file.sha256 {
                digests[file.path] = digest
            }
        }
        return digests
    }
}

/// Whether every user can reach an entry: every directory above it world-searchable (`o+x`). A world-readable file
/// in a 0700 directory (`/etc/wireguard/wg0.conf`) is as private as its directory. Fed the entries of a scan in
/// canonical order, where a directory comes right before what is in it.
struct WorldReach {
    private var stack: [(path: [UInt8], open: Bool)] = []

    /// Records `entry` and says whether every directory above it is world-searchable.
    mutating func visit(_ entry: FileEntry) -> Bool {
        while let top = stack.last, !Self.isBelow(entry.path, top.path) { stack.removeLast() }
        let reachable = stack.last?.open ?? true
        if entry.type == .dir { stack.append((entry.path, reachable && entry.permissions & 0o001 != 0)) }
        return reachable
    }

    private static func isBelow(_ path: [UInt8], _ directory: [UInt8]) -> Bool {
        if directory == [UInt8(ascii: "/")] { return path.count > 1 && path.first == UInt8(ascii: "/") }
        return path.count > directory.count && path.starts(with: directory)
            && path[directory.count] == UInt8(ascii: "/")
    }
}
