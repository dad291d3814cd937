#if canImport(Glibc)
    import Glibc
#endif

/// The kind of a filesystem object, as the manifest names it.
package enum FileType: String, Sendable, Equatable, CaseIterable {
    /// The name as a literal, for byte comparisons.
    var name: StaticString {
        switch self {
        case .file: "file"
        case .dir: "dir"
        case .symlink: "symlink"
        case .fifo: "fifo"
        case .socket: "socket"
        case .char: "char"
        case .block: "block"
        case .unknown: "unknown"
        }
    }

    case file, dir, symlink, fifo, socket, char, block
    /// An object that vanished or could not be examined between being listed and being looked at.
    case unknown

    init?(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .file
        case S_IFDIR: self = .dir
        case S_IFLNK: self = .symlink
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .char
        case S_IFBLK: self = .block
        default: return nil
        }
    }
}

/// A point in time with nanosecond precision, as the kernel reports it.
package struct Timestamp: Equatable, Comparable, Sendable, CustomStringConvertible {
    package var seconds: Int64
    package var nanoseconds: Int64

    package init(seconds: Int64, nanoseconds: Int64) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// The current wall-clock time (CLOCK_REALTIME).
    package static var now: Timestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Timestamp(time)
    }

    init(_ time: timespec) {
        self.init(seconds: Int64(time.tv_sec), nanoseconds: Int64(time.tv_nsec))
    }

    /// "SECONDS.NNNNNNNNN": exact, and safe for JSON readers that hold numbers as doubles.
    package var description: String {
        let fraction = String(nanoseconds)
        return "\(seconds).\(String(repeating: "0", count: max(0, 9 - fraction.count)))\(fraction)"
    }

    /// Parses the form written by ``description``.
    package init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 9, let seconds = Int64(parts[0]),
            let nanoseconds = Int64(parts[1]), nanoseconds >= 0
        else { return nil }
        self.init(seconds: seconds, nanoseconds: nanoseconds)
    }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }
}

/// What `lstat`/`fstat` says about one object: the subset of `struct stat` the scanner records.
struct FileStatus: Equatable, Sendable {
    var type: FileType?
    var permissions: UInt32
    var uid: UInt32
    var gid: UInt32
    var size: Int64
    var modified: Timestamp
    var changed: Timestamp
    var device: UInt64
    var inode: UInt64
    var linkCount: UInt64
    var deviceNumber: UInt64

    init(_ raw: stat) {
        type = FileType(mode: raw.st_mode)
        permissions = UInt32(raw.st_mode) & 0o7777
        uid = raw.st_uid
        gid = raw.st_gid
        size = Int64(raw.st_size)
        modified = Timestamp(raw.st_mtim)
        changed = Timestamp(raw.st_ctim)
        device = UInt64(raw.st_dev)
        inode = UInt64(raw.st_ino)
        linkCount = UInt64(raw.st_nlink)
        deviceNumber = UInt64(raw.st_rdev)
    }

    /// True when `other` is the same object (device and inode) of the same type.
    func isSameObject(as other: FileStatus) -> Bool {
        device == other.device && inode == other.inode && type == other.type
    }

    /// True when the content cannot have changed between the two observations (size, mtime and ctime agree).
    func isUnchanged(comparedTo other: FileStatus) -> Bool {
        isSameObject(as: other) && size == other.size && modified == other.modified && changed == other.changed
    }
}

/// Which object a path names, independent of its path: device and inode.
package struct FileIdentity: Hashable, Sendable {
    package var device: UInt64
    package var inode: UInt64
}
