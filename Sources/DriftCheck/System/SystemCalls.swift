internal import CLinux
import Glibc

/// The thin layer over libc that the scanner uses. Every call retries `EINTR` and reports failure as ``Errno``.
/// Names are raw bytes (Linux file names are not necessarily UTF-8) without a terminating NUL.
enum SystemCalls {
    /// Runs `body` with `name` as a NUL-terminated C string, without a heap allocation for short names.
    static func withCName<R>(_ name: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: CChar.self, capacity: name.count + 1) { buffer in
            name.withUnsafeBufferPointer { source in
                for index in 0..<source.count { buffer[index] = CChar(bitPattern: source[index]) }
            }
            buffer[name.count] = 0
            return try body(UnsafePointer(buffer.baseAddress!))
        }
    }

    private static func retrying<T: BinaryInteger>(_ call: () -> T) -> Result<T, Errno> {
        while true {
            let result = call()
            if result >= 0 { return .success(result) }
            let error = Errno.current
            if error != .interrupted { return .failure(error) }
        }
    }

    /// Opens `name` relative to the directory `directory`. The corresponding C function is `openat`.
    static func open(at directory: FileDescriptor, _ name: [UInt8], flags: Int32, mode: mode_t = 0)
        -> Result<FileDescriptor, Errno>
    {
        withCName(name) { cName in retrying { Glibc.openat(directory.rawValue, cName, flags, mode) } }
            .map(FileDescriptor.init(owning:))
    }

    /// Opens `name` in `directory` for reading without updating its access time (`O_NOATIME`), or, when the caller
    /// neither owns it nor holds CAP_FOWNER (EPERM), as `open(at:_:flags:)` does.
    static func openLeavingAccessTime(at directory: FileDescriptor, _ name: [UInt8], flags: Int32)
        -> Result<FileDescriptor, Errno>
    {
        let opened = open(at: directory, name, flags: flags | Int32(DRIFTCHECK_O_NOATIME))
        if case .failure(let error) = opened, error.rawValue == EPERM {
            return open(at: directory, name, flags: flags)
        }
        return opened
    }

    /// Sets the core file size limit to zero, for good (the hard limit too). The corresponding C function is
    /// `setrlimit(RLIMIT_CORE)`.
    static func disableCoreDumps() {
        _ = driftcheck_disable_core_dumps()
    }

    /// The offset of the next data (`hole: false`) or hole (`hole: true`) at or after `offset`. The corresponding
    /// C function is `lseek` with `SEEK_DATA` or `SEEK_HOLE`; `ENXIO` means there is no data after `offset`.
    static func seek(_ descriptor: FileDescriptor, from offset: Int64, toHole hole: Bool) -> Result<Int64, Errno> {
        let whence = hole ? Int32(DRIFTCHECK_SEEK_HOLE) : Int32(DRIFTCHECK_SEEK_DATA)
        return retrying { Glibc.lseek(descriptor.rawValue, off_t(offset), whence) }.map(Int64.init)
    }

    /// Reads up to `count` bytes at `offset` without moving the file offset. The corresponding C function is
    /// `pread`.
    static func read(_ descriptor: FileDescriptor, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64)
        -> Result<Int, Errno>
    {
        retrying { Glibc.pread(descriptor.rawValue, buffer, count, off_t(offset)) }
    }

    /// Opens a path given as a string. The corresponding C function is `open`.
    static func open(_ path: String, flags: Int32, mode: mode_t = 0) -> Result<FileDescriptor, Errno> {
        retrying { Glibc.open(path, flags, mode) }.map(FileDescriptor.init(owning:))
    }

    /// The status of `name` in `directory`, not following a final symbolic link.
    /// The corresponding C function is `fstatat` with `AT_SYMLINK_NOFOLLOW`.
    static func status(at directory: FileDescriptor, _ name: [UInt8]) -> Result<FileStatus, Errno> {
        withCName(name) { cName in
            var raw = stat()
            return retrying { fstatat(directory.rawValue, cName, &raw, AT_SYMLINK_NOFOLLOW) }.map { _ in FileStatus(raw)
            }
        }
    }

    /// The status of an open descriptor. The corresponding C function is `fstat`.
    static func status(of descriptor: FileDescriptor) -> Result<FileStatus, Errno> {
        status(of: descriptor.rawValue)
    }

    /// The status of the object at `path`, not following a final symbolic link. The corresponding C function is
    /// `lstat`.
    static func status(atPath path: String) -> Result<FileStatus, Errno> {
        var raw = stat()
        return retrying { lstat(path, &raw) }.map { _ in FileStatus(raw) }
    }

    /// The status of the object at `path`, following symbolic links. The corresponding C function is `stat`.
    static func status(followingLinksAt path: String) -> Result<FileStatus, Errno> {
        var raw = stat()
        return retrying { stat(path, &raw) }.map { _ in FileStatus(raw) }
    }

    static func status(of descriptor: Int32) -> Result<FileStatus, Errno> {
        var raw = stat()
        return retrying { fstat(descriptor, &raw) }.map { _ in FileStatus(raw) }
    }

    /// The target of the symbolic link `name` in `directory`, as bytes. The corresponding C function is `readlinkat`.
    static func linkTarget(at directory: FileDescriptor, _ name: [UInt8]) -> Result<[UInt8], Errno> {
        withCName(name) { cName in
            var capacity = 256
            while true {
                var buffer = [UInt8](repeating: 0, count: capacity)
                let count = buffer.withUnsafeMutableBytes { raw in
                    retrying {
                        readlinkat(
                            directory.rawValue, cName, raw.baseAddress!.assumingMemoryBound(to: CChar.self), capacity)
                    }
                }
                switch count {
                case .failure(let error): return .failure(error)
                case .success(let length) where length < capacity:
                    return .success(Array(buffer[0..<length]))
                case .success:
                    capacity *= 4
                }
            }
        }
    }

    /// The value of extended attribute `name` of an open file, or nil when it has none.
    /// The corresponding C function is `fgetxattr`.
    static func extendedAttribute(of descriptor: FileDescriptor, _ name: String) -> Result<[UInt8]?, Errno> {
        var capacity = 64
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let result = buffer.withUnsafeMutableBytes { raw in
                retrying { driftcheck_fgetxattr(descriptor.rawValue, name, raw.baseAddress, capacity) }
            }
            switch result {
            case .success(let length): return .success(Array(buffer[0..<length]))
            case .failure(let error) where error == .noData: return .success(nil)
            case .failure(let error) where error.rawValue == ENOTSUP: return .success(nil)
            case .failure(let error) where error.rawValue == ERANGE && capacity < 65536: capacity *= 16
            case .failure(let error): return .failure(error)
            }
        }
    }

    /// The names in an open directory, without "." and "..", in the order the filesystem returns them.
    /// The corresponding C functions are `fdopendir` and `readdir`; `directory` stays open.
    static func directoryNames(_ directory: FileDescriptor) -> Result<[[UInt8]], Errno> {
        directoryEntries(directory).map { entries in entries.map(\.name) }
    }

    /// The entries of an open directory (not "." and ".."), unsorted, each with the type `getdents` reported
    /// (`DT_REG`, `DT_DIR` …, or `DT_UNKNOWN` on filesystems that do not say). The corresponding C function is
    /// `readdir` on a duplicate of the descriptor.
    static func directoryEntries(_ directory: FileDescriptor) -> Result<[(name: [UInt8], type: UInt8)], Errno> {
        let duplicate = fcntl(directory.rawValue, F_DUPFD_CLOEXEC, 0)
        if duplicate < 0 { return .failure(.current) }
        // From here the stream owns the duplicate: `closedir` closes it.
        guard let stream = fdopendir(duplicate) else {
            let error = Errno.current
            _ = FileDescriptor(owning: duplicate)
            return .failure(error)
        }
        defer { closedir(stream) }
        var entries: [(name: [UInt8], type: UInt8)] = []
        while true {
            errno = 0
            guard let record = readdir(stream) else {
                if errno != 0 { return .failure(.current) }
                return .success(entries)
            }
            let name = withUnsafeBytes(of: &record.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                let length = bytes.firstIndex(of: 0) ?? bytes.count
                return Array(bytes[0..<length])
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            entries.append((name, record.pointee.d_type))
        }
    }

    /// The names in the directory at `path` (not "." and ".."), sorted; for the tool's own directories (reports,
    /// baselines), whose names are text.
    static func directoryNames(atPath path: String) -> Result<[String], Errno> {
        switch open(path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC) {
        case .failure(let error): return .failure(error)
        case .success(let descriptor):
            return directoryNames(descriptor).map { names in names.map { String(decoding: $0, as: UTF8.self) }.sorted()
            }
        }
    }

    /// The filesystem type magic number of an open descriptor. The corresponding C function is `fstatfs`.
    static func filesystemType(of descriptor: FileDescriptor) -> Result<Int, Errno> {
        var failed: Int32 = 0
        let magic = driftcheck_fstatfs_type(descriptor.rawValue, &failed)
        return failed != 0 ? .failure(.current) : .success(Int(magic))
    }

    /// Creates a unique file from a template ending in "XXXXXX", which is replaced by the name chosen.
    /// The corresponding C function is `mkstemp` (the file is created with mode 0600, close-on-exec set after).
    static func makeTemporaryFile(_ template: inout [CChar]) -> Result<FileDescriptor, Errno> {
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { return .failure(.current) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return .success(FileDescriptor(owning: descriptor))
    }

    /// Reads up to `count` bytes into `buffer`. The corresponding C function is `read`.
    static func read(_ descriptor: FileDescriptor, into buffer: UnsafeMutableRawPointer, count: Int)
        -> Result<Int, Errno>
    {
        retrying { Glibc.read(descriptor.rawValue, buffer, count) }
    }

    /// Reads from the current offset to the end of the file: the bytes, or nil when there are more than `limit`.
    /// `sizeHint` (the size `fstat` gave) sizes the first buffer; files such as /proc's report 0 and are still read
    /// whole. The corresponding C function is `read`, in a loop.
    static func readToEnd(_ descriptor: FileDescriptor, sizeHint: Int, limit: Int) -> Result<[UInt8]?, Errno> {
        var bytes = [UInt8](repeating: 0, count: min(max(4096, sizeHint + 1), limit + 1))
        var total = 0
        while true {
            if total == bytes.count {
                guard bytes.count <= limit else { return .success(nil) }
                bytes += [UInt8](repeating: 0, count: min(bytes.count, limit + 1 - bytes.count))
            }
            let result = bytes.withUnsafeMutableBytes { raw in
                read(descriptor, into: raw.baseAddress! + total, count: raw.count - total)
            }
            switch result {
            case .failure(let error): return .failure(error)
            case .success(0): return .success(Array(bytes[0..<total]))
            case .success(let count): total += count
            }
        }
    }

    /// Writes all of `bytes`, looping over short writes. The corresponding C function is `write`.
    static func writeAll(_ descriptor: FileDescriptor, _ bytes: UnsafeRawBufferPointer) -> Result<Void, Errno> {
        writeAll(descriptor.rawValue, bytes)
    }

    /// Writes all of `bytes` to a descriptor this process did not open (standard output, standard error).
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Void, Errno> {
        var offset = 0
        while offset < bytes.count {
            switch retrying({ Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset) }) {
            case .success(let written): offset += written
            case .failure(let error): return .failure(error)
            }
        }
        return .success(())
    }

    /// Flushes a file's data and metadata to stable storage. The corresponding C function is `fsync`.
    static func sync(_ descriptor: FileDescriptor) -> Result<Void, Errno> {
        retrying { fsync(descriptor.rawValue) }.map { _ in () }
    }

    /// Takes an exclusive advisory lock on an open file: at once, or `waiting` until whoever holds it lets go.
    /// The corresponding C function is `flock` with `LOCK_EX` (and `LOCK_NB` when not waiting); `EWOULDBLOCK`
    /// means another process holds it.
    static func lockExclusively(_ descriptor: FileDescriptor, waiting: Bool) -> Result<Void, Errno> {
        retrying { flock(descriptor.rawValue, waiting ? LOCK_EX : LOCK_EX | LOCK_NB) }.map { _ in () }
    }

    /// Sets the permission bits of an open file. The corresponding C function is `fchmod`.
    static func setMode(_ descriptor: FileDescriptor, _ mode: mode_t) -> Result<Void, Errno> {
        retrying { fchmod(descriptor.rawValue, mode) }.map { _ in () }
    }

    /// Tells the kernel the file will be read from start to end. The corresponding C function is `posix_fadvise`
    /// with `POSIX_FADV_SEQUENTIAL`; the advice is only a hint, so its result is not reported.
    static func adviseSequential(_ descriptor: FileDescriptor) {
        _ = posix_fadvise(descriptor.rawValue, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    /// Creates the directory `name` in `directory`; an existing one is not an error. The corresponding C function is
    /// `mkdirat`.
    static func makeDirectory(at directory: FileDescriptor, _ name: [UInt8], mode: mode_t) -> Result<Void, Errno> {
        switch withCName(name, { cName in retrying { mkdirat(directory.rawValue, cName, mode) } }) {
        case .success: return .success(())
        case .failure(let error) where error.rawValue == EEXIST: return .success(())
        case .failure(let error): return .failure(error)
        }
    }

    /// Removes the name `name` (not a directory) from `directory`. The corresponding C function is `unlinkat`.
    @discardableResult
    static func remove(at directory: FileDescriptor, _ name: [UInt8]) -> Result<Void, Errno> {
        withCName(name) { cName in retrying { unlinkat(directory.rawValue, cName, 0) } }.map { _ in () }
    }

    /// Renames `from` to `to`, both in `directory`, replacing `to`. The corresponding C function is `renameat`.
    static func rename(at directory: FileDescriptor, _ from: [UInt8], to: [UInt8]) -> Result<Void, Errno> {
        withCName(from) { source in
            withCName(to) { target in retrying { renameat(directory.rawValue, source, directory.rawValue, target) } }
        }.map { _ in () }
    }

    /// Renames `from` to `to`, replacing `to`. The corresponding C function is `rename`.
    static func rename(_ from: String, to: String) -> Result<Void, Errno> {
        retrying { Glibc.rename(from, to) }.map { _ in () }
    }

    /// Gives the file `existing` a second name, `new` (a hard link; never follows a link). The corresponding C
    /// function is `link`.
    static func link(_ existing: String, to new: String) -> Result<Void, Errno> {
        retrying { Glibc.link(existing, new) }.map { _ in () }
    }

    /// Removes the name `path`. The corresponding C function is `unlink`.
    @discardableResult
    static func remove(_ path: String) -> Result<Void, Errno> {
        retrying { unlink(path) }.map { _ in () }
    }

    /// True when something (even a dangling link) has the name `path`. The corresponding C function is `lstat`.
    static func exists(_ path: String) -> Bool {
        if case .success = status(atPath: path) { return true }
        return false
    }

    /// Creates the directory `path` with `mode` (less the umask); an existing one is not an error.
    /// The corresponding C function is `mkdir`.
    static func makeDirectory(_ path: String, mode: mode_t) -> Result<Void, Errno> {
        switch retrying({ mkdir(path, mode) }) {
        case .success: return .success(())
        case .failure(let error) where error.rawValue == EEXIST: return .success(())
        case .failure(let error): return .failure(error)
        }
    }

    /// Lowers the process's CPU priority (nice 19) and I/O priority (idle class); threads started later inherit
    /// both. Returns false when the kernel refused either.
    static func beNice() -> Bool {
        driftcheck_be_nice() == 0
    }

    /// Raises the soft limit on open descriptors to the hard limit, so a very deep tree can hold one per level.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
