import Glibc

/// A file written under a temporary name in the destination's directory and renamed into place only when complete.
///
/// A run killed at any moment leaves either the old file or the new one at the destination, never a truncated one.
/// `commit` flushes the data (fsync), renames, and flushes the directory so the rename survives a power cut.
/// A writer dropped without `commit` removes its temporary file.
final class AtomicFile {
    /// The default mode of manifests, signatures and reports: readable by the owner's group (say, a monitoring
    /// agent's), never by others, since a manifest maps the host. `--mode` changes it.
    package static let outputMode: mode_t = 0o640

    /// The destination path.
    let path: String
    private let temporaryPath: String
    /// The temporary file, until it is committed or discarded.
    private var file: FileDescriptor?
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private var committed = false

    /// Creates the temporary file with `mode` (applied exactly, whatever the umask).
    init(path: String, mode: mode_t = 0o644) throws(DriftCheckError) {
        self.path = path
        let directory = AtomicFile.directory(of: path)
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
        let descriptor: FileDescriptor
        switch SystemCalls.makeTemporaryFile(&template) {
        case .success(let created): descriptor = created
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot create a file here: \(error)")
        }
        file = descriptor
        temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if case .failure(let error) = SystemCalls.setMode(descriptor, mode) {
            discard()
            throw DriftCheckError(.io, path: path, "cannot set the file mode: \(error)")
        }
        buffer.reserveCapacity(bufferLimit)
    }

    deinit {
        if !committed { discard() }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    private func discard() {
        file = nil
        SystemCalls.remove(temporaryPath)
    }

    /// The temporary file, or an error when it was already discarded after a failure.
    private func openFile() throws(DriftCheckError) -> FileDescriptor {
        guard let file else { throw DriftCheckError(.io, path: path, "the file was discarded after an earlier error") }
        return file
    }

    /// Appends bytes; they reach the file in large writes.
    func write(_ bytes: [UInt8]) throws(DriftCheckError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= bufferLimit { try flush() }
    }

    func write(_ text: String) throws(DriftCheckError) {
        try write(Array(text.utf8))
    }

    private func flush() throws(DriftCheckError) {
        let file = try openFile()
        let result = buffer.withUnsafeBytes { SystemCalls.writeAll(file, $0) }
        buffer.removeAll(keepingCapacity: true)
        if case .failure(let error) = result {
            discard()
            throw DriftCheckError(.io, path: path, "cannot write: \(error)")
        }
    }

    /// Device and inode of the temporary file, so a scan can leave its own output out.
    var identity: FileIdentity? {
        guard case .success(let status)? = file?.status() else { return nil }
        return FileIdentity(device: status.device, inode: status.inode)
    }

    /// The descriptor of the temporary file, after flushing what is buffered (for signing before commit).
    func flushedDescriptor() throws(DriftCheckError) -> FileDescriptor {
        try flush()
        return try openFile()
    }

    /// Flushes, syncs and renames the temporary file to the destination.
    func commit() throws(DriftCheckError) {
        try flush()
        if case .failure(let error) = SystemCalls.sync(try openFile()) {
            discard()
            throw DriftCheckError(.io, path: path, "cannot flush to disk: \(error)")
        }
        file = nil
        if case .failure(let error) = SystemCalls.rename(temporaryPath, to: path) {
            SystemCalls.remove(temporaryPath)
            throw DriftCheckError(.io, path: path, "cannot rename into place: \(error)")
        }
        committed = true
        AtomicFile.syncDirectory(AtomicFile.directory(of: path))
    }

    /// Flushes a directory so that a rename inside it is durable.
    static func syncDirectory(_ directory: String) {
        guard case .success(let descriptor) = SystemCalls.open(directory, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        else { return }
        _ = SystemCalls.sync(descriptor)
    }

    /// Writes `bytes` to `path` atomically in one go.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws(DriftCheckError) {
        let file = try AtomicFile(path: path, mode: mode)
        try file.write(bytes)
        try file.commit()
    }
}
