#if canImport(Glibc)
    import Glibc
#endif

/// A regular file the walker opened and confirmed, waiting to be hashed.
struct HashJob: @unchecked Sendable {
    /// Open with `O_NOFOLLOW|O_NONBLOCK`; the hasher closes it.
    let descriptor: Int32
    /// The status the walker recorded (from `lstat`); the hash is only kept when the file still matches it.
    let status: FileStatus
    /// The package database's digest to check the content against (`--verify-packages`).
    var expected: PackageDigest? = nil
}

/// What hashing one file found.
struct HashResult: Sendable {
    var sha256: [UInt8]?
    var capabilities: [UInt8]?
    var error: String?
    /// "ok" or "mismatch" when the job had an expected package digest and the content was read completely.
    var packageCheck: String?
}

/// Hashes regular files with large sequential reads into one reused buffer. One per hashing thread.
final class FileHasher {
    static let bufferSize = 256 * 1024
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: FileHasher.bufferSize, alignment: 4096)
    private let hasher = SHA256Hasher()
    private lazy var md5 = MD5Hasher()
    private(set) var bytesHashed: Int64 = 0

    deinit {
        buffer.deallocate()
    }

    /// Reads `security.capability` and the whole content of the job's file, then closes it. The digest is kept
    /// only when every byte was read and the file's size, mtime and ctime did not change meanwhile.
    func hash(_ job: HashJob) -> HashResult {
        defer { close(job.descriptor) }
        var result = HashResult()
        switch SystemCalls.extendedAttribute(of: job.descriptor, "security.capability") {
        case .success(let value): result.capabilities = value
        case .failure(let error):
            result.error = "cannot read security.capability: \(error)"
            return result
        }
        if job.status.size > Int64(FileHasher.bufferSize) {
            _ = posix_fadvise(job.descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        }
        hasher.reset()
        var checkMD5 = false
        if case .md5? = job.expected {
            checkMD5 = true
            md5.reset()
        }
        var total: Int64 = 0
        // Read exactly the recorded size: growth, shrinking or rewriting shows up in the fstat below.
        while total < job.status.size {
            let wanted = Int(min(Int64(FileHasher.bufferSize), job.status.size - total))
            switch SystemCalls.read(job.descriptor, into: buffer, count: wanted) {
            case .failure(let error):
                result.error = "read failed: \(error)"
                return result
            case .success(0):
                result.error = "changed while being read (shrank)"
                return result
            case .success(let count):
                hasher.update(buffer, count: count)
                if checkMD5 { md5.update(buffer, count: count) }
                total += Int64(count)
            }
        }
        bytesHashed += total
        switch SystemCalls.status(of: job.descriptor) {
        case .failure(let error):
            result.error = "cannot stat after reading: \(error)"
        case .success(let after):
            if total != job.status.size || !after.isUnchanged(comparedTo: job.status) {
                result.error = "changed while being read"
            } else {
                let digest = hasher.finish()
                result.sha256 = digest
                switch job.expected {
                case .md5(let expected)?: result.packageCheck = md5.finish() == expected ? "ok" : "mismatch"
                case .sha256(let expected)?: result.packageCheck = digest == expected ? "ok" : "mismatch"
                case nil: break
                }
            }
        }
        return result
    }
}
