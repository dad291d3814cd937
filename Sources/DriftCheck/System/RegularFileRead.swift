import Glibc

/// Why ``SystemCalls/readRegularFile(_:limit:)`` read nothing.
enum RegularFileReadFailure: Error {
    case cannotOpen(Errno)
    /// A link, a directory, a FIFO, a device …: never read.
    case notRegularFile
    /// Larger than the limit (the size `fstat` gave, or what was found reading).
    case tooLarge(size: Int64)
    case cannotRead(Errno)
}

extension SystemCalls {
    /// The whole content of the regular file at `path`, at most `limit` bytes: opened without following a link and
    /// without blocking on a FIFO, confirmed a regular file by `fstat`, then read with read(2), never mapped (a file
    /// that shrinks meanwhile cannot fault a mapping). For files that arrive from elsewhere: reports, signatures.
    static func readRegularFile(_ path: String, limit: Int) -> Result<[UInt8], RegularFileReadFailure> {
        let file: FileDescriptor
        switch open(path, flags: O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY) {
        case .success(let opened): file = opened
        case .failure(let error): return .failure(.cannotOpen(error))
        }
        guard case .success(let status) = file.status(), status.type == .file else { return .failure(.notRegularFile) }
        guard status.size <= Int64(limit) else { return .failure(.tooLarge(size: status.size)) }
        switch readToEnd(file, sizeHint: Int(status.size), limit: limit) {
        case .success(let bytes?): return .success(bytes)
        case .success(nil): return .failure(.tooLarge(size: Int64(limit) + 1))
        case .failure(let error): return .failure(.cannotRead(error))
        }
    }
}
