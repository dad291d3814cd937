/// The previous manifest of the same root, streamed alongside the walk so that a file whose device, inode, size,
/// mtime and ctime (nanoseconds) are all unchanged can keep its recorded hash instead of being read again — the
/// idea of git's index. Both streams are in canonical order, so this is a merge in constant memory.
///
/// Racy entries are never reused: a file whose mtime or ctime is not at least one second older than the start of the
/// previous scan may have been written again within the same timestamp tick after it was hashed (git's "racy clean"
/// problem, Documentation/technical/racy-git.txt), so its unchanged stat proves nothing.
final class PreviousManifest: @unchecked Sendable {
    // Used by the walker thread only.
    private let reader: ManifestReader
    private var current: FileEntry?
    private var finished = false
    /// Entries modified at or after this moment are racy.
    let cutoff: Timestamp
    private(set) var reused = 0
    /// Set when the previous manifest turned out malformed; reuse then stops and files are hashed.
    private(set) var failure: DriftCheckError?

    init(reader: ManifestReader) {
        self.reader = reader
        let started = reader.header.started ?? Timestamp(seconds: 0, nanoseconds: 0)
        cutoff = Timestamp(seconds: max(started.seconds, Int64.min + 1) - 1, nanoseconds: started.nanoseconds)
    }

    var path: String { reader.path }

    private func advance() {
        do {
            while let entry = try reader.next() {
                switch entry {
                case .file(let file):
                    current = file
                    return
                case .record(let record):
                    // Records of kinds after "file" mean the file entries are over.
                    if Array(record.kind.utf8).lexicographicallyPrecedes(Array(ManifestEntry.fileKind.utf8)) {
                        continue
                    }
                    current = nil
                    finished = true
                    return
                }
            }
            current = nil
            finished = true
        } catch {
            failure = error
            current = nil
            finished = true
        }
    }

    /// The previous entry of `path` when its hash can be reused for a regular file now seen with `status`.
    func reusable(_ path: [UInt8], status: FileStatus, needsPackageCheck: Bool) -> FileEntry? {
        if current == nil && !finished { advance() }
        while let entry = current, CanonicalOrder.precedes(entry.path, path) {
            advance()
        }
        guard let entry = current, entry.path == path, entry.type == .file, entry.error == nil,
            entry.sha256 != nil, entry.device == status.device, entry.inode == status.inode,
            entry.size == status.size, entry.modified == status.modified, entry.changed == status.changed,
            status.modified < cutoff, status.changed < cutoff,
            !needsPackageCheck || entry.packageCheck != nil
        else { return nil }
        reused += 1
        return entry
    }

    /// Reads the rest of the previous manifest, which checks that every byte read was a byte whose signature was
    /// verified; throws when it was not (the manifest changed while being used) or was malformed.
    func finish() throws(DriftCheckError) {
        if let failure { throw failure }
        while try reader.next() != nil {}
    }
}
