#if canImport(Glibc)
    import Glibc
#endif

/// A whole file mapped read-only into memory: used to sign and verify manifests without copying them to the heap.
final class MappedFile {
    let path: String
    private let base: UnsafeMutableRawPointer?
    private let length: Int

    /// Maps an open descriptor; the descriptor may be closed afterwards.
    init(descriptor: Int32, path: String) throws(DriftCheckError) {
        self.path = path
        guard case .success(let status) = SystemCalls.status(of: descriptor) else {
            throw DriftCheckError(.io, path: path, "cannot stat: \(Errno.current)")
        }
        guard status.type == .file else { throw DriftCheckError(.malformed, path: path, "not a regular file") }
        length = Int(status.size)
        if length == 0 {
            base = nil
            return
        }
        let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != MAP_FAILED else {
            throw DriftCheckError(.io, path: path, "cannot map into memory: \(Errno.current)")
        }
        base = address
    }

    /// Opens and maps `path`.
    convenience init(path: String) throws(DriftCheckError) {
        let descriptor: Int32
        switch SystemCalls.open(path, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot open: \(error)")
        }
        defer { close(descriptor) }
        try self.init(descriptor: descriptor, path: path)
    }

    deinit {
        if let base { munmap(base, length) }
    }

    /// The whole content of a (small) file, copied out of the mapping.
    static func contents(of path: String) throws(DriftCheckError) -> [UInt8] {
        let mapped = try MappedFile(path: path)
        return withExtendedLifetime(mapped) { Array(mapped.bytes) }
    }

    /// The mapped bytes, valid for the life of this object.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: length) }
}
