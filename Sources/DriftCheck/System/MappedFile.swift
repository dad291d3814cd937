import Glibc

/// A whole file mapped read-only into memory: used to sign and verify manifests without copying them to the heap.
final class MappedFile {
    let path: String
    private let base: UnsafeMutableRawPointer?
    private let length: Int
    /// The file's status when it was mapped.
    let status: FileStatus
    /// The descriptor this object opened (``init(path:)``), kept until it is dropped.
    private var ownDescriptor: FileDescriptor? = nil

    /// Maps an open descriptor; the descriptor may be closed afterwards.
    init(descriptor: FileDescriptor, path: String) throws(DriftCheckError) {
        self.path = path
        guard case .success(let status) = SystemCalls.status(of: descriptor) else {
            throw DriftCheckError(.io, path: path, "cannot stat: \(Errno.current)")
        }
        guard status.type == .file else { throw DriftCheckError(.malformed, path: path, "not a regular file") }
        self.status = status
        length = Int(status.size)
        if length == 0 {
            base = nil
            return
        }
        let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor.rawValue, 0)
        guard let address, address != MAP_FAILED else {
            throw DriftCheckError(.io, path: path, "cannot map into memory: \(Errno.current)")
        }
        base = address
    }

    /// Opens and maps `path`, keeping it open for ``isUnchanged()``.
    convenience init(path: String) throws(DriftCheckError) {
        let descriptor: FileDescriptor
        switch SystemCalls.open(path, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot open: \(error)")
        }
        try self.init(descriptor: descriptor, path: path)
        ownDescriptor = descriptor
    }

    deinit {
        if let base { munmap(base, length) }
    }

    /// True when the file opened by ``init(path:)`` still has the size, mtime and ctime it had when mapped, so that
    /// every pass over the mapping saw the same bytes (a write sets ctime, which no call can set back).
    func isUnchanged() -> Bool {
        guard case .success(let now)? = ownDescriptor?.status() else { return false }
        return now.isUnchanged(comparedTo: status)
    }

    /// The whole content of a (small) file, copied out of the mapping.
    static func contents(of path: String) throws(DriftCheckError) -> [UInt8] {
        let mapped = try MappedFile(path: path)
        return withExtendedLifetime(mapped) { Array(mapped.bytes) }
    }

    /// The mapped bytes, valid for the life of this object.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }

    /// Mappings at least this large are read with their residency trimmed (``withTrimmedResidency(_:)``).
    static let trimmedResidencySize = 16 << 20

    /// Runs `body` over the mapped bytes while a helper thread drops the mapping's resident pages every 2 ms.
    ///
    /// Ed25519 signs and verifies the whole message in one call, so a manifest of a million entries (~270 MB) would
    /// otherwise be resident in this process at the end of the call, all of it counted in its RSS. The mapping is
    /// read-only and never written, so `MADV_DONTNEED` only unmaps pages: a page touched again is mapped again from
    /// the page cache with the same bytes. What stays resident is what `body` touched in the last 2 ms (a few MB at
    /// SHA-512's speed); the bytes stay in the page cache, shared and reclaimable, as with any file read.
    func withTrimmedResidency<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        guard let base, length >= MappedFile.trimmedResidencySize else { return try body(bytes) }
        let trimmer = ResidencyTrimmer(base: base, length: length)
        let thread = JoinableThread { trimmer.run() }
        defer {
            trimmer.stop()
            thread.join()
        }
        return try body(bytes)
    }
}

/// The helper thread of ``MappedFile/withTrimmedResidency(_:)``.
private final class ResidencyTrimmer: @unchecked Sendable {
    private let base: UnsafeMutableRawPointer
    private let length: Int
    private let monitor = Monitor()
    private var stopped = false

    init(base: UnsafeMutableRawPointer, length: Int) {
        self.base = base
        self.length = length
    }

    func run() {
        while !monitor.locked({ stopped }) {
            usleep(2000)
            _ = madvise(base, length, MADV_DONTNEED)
        }
    }

    func stop() { monitor.locked { stopped = true } }
}
