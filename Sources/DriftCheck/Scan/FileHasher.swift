import Glibc

/// A regular file the walker opened and confirmed, waiting to be hashed.
struct HashJob: Sendable {
    /// Open with `O_NOFOLLOW|O_NONBLOCK`; closed when the job is dropped.
    let descriptor: FileDescriptor
    /// The status the walker recorded (from `lstat`); the hash is only kept when the file still matches it.
    let status: FileStatus
    /// The package database's digest to check the content against (`--verify-packages`).
    var expected: PackageDigest? = nil
}

/// What hashing one file found.
struct HashResult: Sendable {
    var sha256: [UInt8]?
    /// `sha256` is the block digest (see ``FileEntry/blockDigest``).
    var blockDigest = false
    var capabilities: [UInt8]?
    var error: String?
    /// Set when the job had an expected package digest and the content was read completely.
    var packageCheck: PackageCheck?
}

/// Hashes regular files with large sequential reads into one reused buffer. One per hashing thread.
final class FileHasher {
    static let bufferSize = 256 * 1024
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: FileHasher.bufferSize, alignment: 4096)
    private let hasher = SHA256Hasher()
    private lazy var md5 = MD5Hasher()
    private(set) var bytesHashed: Int64 = 0
    /// Told about every read, for a progress display.
    var progress: ScanProgress? = nil

    deinit {
        buffer.deallocate()
    }

    /// Reads `security.capability` (of an executable: ``FileEntry/recordsCapabilities(permissions:)``) and the
    /// whole content of the job's file, then closes it. The digest is kept only when every byte was read and the
    /// file's size, mtime and ctime did not change meanwhile.
    func hash(_ job: HashJob) -> HashResult {
        var result = HashResult()
        if FileEntry.recordsCapabilities(permissions: job.status.permissions) {
            switch SystemCalls.extendedAttribute(of: job.descriptor, "security.capability") {
            case .success(let value): result.capabilities = value
            case .failure(let error):
                result.error = "cannot read security.capability: \(error)"
                return result
            }
        }
        if job.status.size > Int64(FileHasher.bufferSize) {
            SystemCalls.adviseSequential(job.descriptor)
        }
        hasher.reset()
        if job.status.size >= FileHasher.blockDigestSize {
            switch hashBlocks(job) {
            case .failure(let error): result.error = error.message
            case .success(let digest):
                result.sha256 = digest
                result.blockDigest = true
            }
            return result
        }
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
                progress?.hashed(count)
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
                case .md5(let expected)?: result.packageCheck = md5.finish() == expected ? .ok : .mismatch
                case .sha256(let expected)?: result.packageCheck = digest == expected ? .ok : .mismatch
                case nil: break
                }
            }
        }
        return result
    }

    /// Files this large get the block digest (``FileEntry/blockDigest``) instead of plain SHA-256: a sparse file
    /// of 64 GiB or 1 PiB apparent size then costs what its data costs, not minutes of hashing zeros, while the
    /// digest still changes with any byte of content. The choice depends on the size only, which the comparer
    /// compares anyway, so a file never flips between the two digests without a size change.
    static let blockDigestSize: Int64 = 1 << 30
    static let block = 4096

    struct Failure: Error {
        let message: String
    }

    /// The block digest of the job's file: for each 4 KiB block at a 4 KiB-aligned offset that is not all zeros,
    /// its offset (8 bytes, big-endian) and its bytes (fewer for the last block); then the size (8 bytes,
    /// big-endian). Holes reported by SEEK_DATA/SEEK_HOLE are skipped without reading; filesystems without them
    /// are read in full. The result is the same whichever way the zeros are stored.
    private func hashBlocks(_ job: HashJob) -> Result<[UInt8], Failure> {
        let size = job.status.size
        let block = Int64(FileHasher.block)
        var next: Int64 = 0  // the first block not yet hashed
        while next < size {
            let data: Int64
            switch SystemCalls.seek(job.descriptor, from: next, toHole: false) {
            case .success(let found): data = found
            case .failure(let error) where error.rawValue == ENXIO: data = size  // the rest is a hole
            case .failure(let error) where error.rawValue == EINVAL || error.rawValue == EOPNOTSUPP:
                data = next  // no hole support here: read everything
            case .failure(let error): return .failure(Failure(message: "seek failed: \(error)"))
            }
            if data >= size { break }
            let hole = (try? SystemCalls.seek(job.descriptor, from: data, toHole: true).get()) ?? size
            var offset = max(next, data / block * block)
            // Whole 4 KiB blocks (reading into a hole gives zeros), so that filesystems with smaller blocks give the
            // digest a file stored in full gives.
            let end = min(size, (hole + block - 1) / block * block)
            guard end > offset else {
                next = offset + block  // a filesystem that reports no progress: move on rather than loop
                continue
            }
            while offset < end {
                let wanted = Int(min(Int64(FileHasher.bufferSize), end - offset))
                var count = 0
                while count < wanted {
                    switch SystemCalls.read(
                        job.descriptor, into: buffer + count, count: wanted - count, at: offset + Int64(count))
                    {
                    case .failure(let error): return .failure(Failure(message: "read failed: \(error)"))
                    case .success(0): return .failure(Failure(message: "changed while being read (shrank)"))
                    case .success(let read): count += read
                    }
                }
                hashNonZeroBlocks(count: count, at: offset)
                progress?.hashed(count)
                bytesHashed += Int64(count)
                offset += Int64(count)
            }
            // Continue at the next block boundary; a partial block at `end` was hashed whole.
            next = max(offset, (end + block - 1) / block * block)
        }
        FileHasher.finishBlocks(size: size, into: hasher)
        switch SystemCalls.status(of: job.descriptor) {
        case .failure(let error):
            return .failure(Failure(message: "cannot stat after reading: \(error)"))
        case .success(let after):
            if !after.isUnchanged(comparedTo: job.status) {
                return .failure(Failure(message: "changed while being read"))
            }
        }
        return .success(hasher.finish())
    }

    /// Feeds `count` bytes of the buffer, read from `offset` (4 KiB-aligned), to the block digest.
    private func hashNonZeroBlocks(count: Int, at offset: Int64) {
        var start = 0
        while start < count {
            let length = min(FileHasher.block, count - start)
            FileHasher.hashBlock(buffer + start, count: length, at: offset + Int64(start), into: hasher)
            start += length
        }
    }

    /// The block digest's step for one block (4 KiB, or the last, shorter one) at `offset`: nothing for an
    /// all-zero block, else its offset (8 bytes, big-endian) and its bytes. Shared by the scanner, which reads by
    /// range, and ``StreamDigest``, which sees a stream, so the two cannot disagree.
    static func hashBlock(_ bytes: UnsafeRawPointer, count: Int, at offset: Int64, into hasher: SHA256Hasher) {
        guard !isZero(bytes, count: count) else { return }
        var position = UInt64(offset).bigEndian
        withUnsafeBytes(of: &position) { hasher.update($0.baseAddress!, count: 8) }
        hasher.update(bytes, count: count)
    }

    /// The block digest's last step: the size (8 bytes, big-endian).
    static func finishBlocks(size: Int64, into hasher: SHA256Hasher) {
        var total = UInt64(size).bigEndian
        withUnsafeBytes(of: &total) { hasher.update($0.baseAddress!, count: 8) }
    }

    private static func isZero(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        var index = 0
        while index + 8 <= count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) != 0 { return false }
            index += 8
        }
        while index < count {
            if bytes.load(fromByteOffset: index, as: UInt8.self) != 0 { return false }
            index += 1
        }
        return true
    }
}
