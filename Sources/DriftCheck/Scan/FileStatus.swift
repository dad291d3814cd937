import Glibc

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
