/// One filesystem object as the manifest records it (`"kind":"file"`).
package struct FileEntry: Equatable, Sendable {
    /// The path relative to the scanned root, written absolute ("/etc/passwd"); raw bytes.
    package var path: [UInt8]
    package var type: FileType
    /// Permission bits including setuid, setgid and sticky (mode & 07777).
    package var permissions: UInt32
    package var uid: UInt32
    package var gid: UInt32
    package var size: Int64
    package var modified: Timestamp
    package var changed: Timestamp
    package var device: UInt64
    package var inode: UInt64
    package var linkCount: UInt64
    /// Major and minor number of a character or block device.
    package var deviceNumber: UInt64?
    /// SHA-256 of the content of a regular file, when it was read completely and consistently.
    package var sha256: [UInt8]?
    /// True when `sha256` is the block digest of a file of ``FileHasher/blockDigestSize`` or more (written as
    /// `sha256_blocks`): SHA-256 over the offset and bytes of every 4 KiB block that is not all zeros, then the
    /// size. It depends on the content only, and the holes of a sparse file are skipped without being read.
    package var blockDigest = false
    /// The target of a symbolic link, raw bytes.
    package var target: [UInt8]?
    /// The raw `security.capability` extended attribute.
    package var capabilities: [UInt8]?
    /// The package that installed this path, from the package manager's database in the scanned root.
    package var package: String?
    /// True when the package declares this path a configuration file (edits are expected, not tampering).
    package var conffile = false
    /// With `--verify-packages`: whether the content matches the package database's digest.
    package var packageCheck: PackageCheck?
    /// Why the content of this directory was not scanned ("mount": another filesystem).
    package var unscanned: String?
    /// What went wrong while recording this object; its content is then unverified.
    package var error: String?
    /// The file's content, gzip-compressed, when the manifest keeps it (``ContentCapture``); written last, never
    /// compared (the digest covers it).
    package var content: [UInt8]?

    init(path: [UInt8], status: FileStatus) {
        self.path = path
        type = status.type ?? .file
        permissions = status.permissions
        uid = status.uid
        gid = status.gid
        size = status.size
        modified = status.modified
        changed = status.changed
        device = status.device
        inode = status.inode
        linkCount = status.linkCount
        if type == .char || type == .block { deviceNumber = status.deviceNumber }
    }

    package init(
        path: [UInt8], type: FileType, permissions: UInt32, uid: UInt32, gid: UInt32, size: Int64,
        modified: Timestamp, changed: Timestamp, device: UInt64 = 0, inode: UInt64 = 0, linkCount: UInt64 = 1
    ) {
        self.path = path
        self.type = type
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.size = size
        self.modified = modified
        self.changed = changed
        self.device = device
        self.inode = inode
        self.linkCount = linkCount
    }

    /// Whether `security.capability` is read for a regular file with these permission bits: only when one of the
    /// execute bits is set. File capabilities take effect only through execve, which needs an execute bit, so on
    /// other files they are inert; making such a file executable changes its mode and ctime, and the next scan then
    /// records its capabilities. This spares one system call per file on trees of data files.
    static func recordsCapabilities(permissions: UInt32) -> Bool { permissions & 0o111 != 0 }

    /// True when the setuid or setgid bit is set.
    package var isSetID: Bool { permissions & 0o6000 != 0 }

    /// True for a regular file with setuid or setgid bits, or any object with file capabilities.
    package var holdsPrivilege: Bool { (type == .file && isSetID) || capabilities != nil }

    /// True for a regular file with any execute bit.
    package var isExecutableFile: Bool { type == .file && permissions & 0o111 != 0 }

    /// The mode as four octal digits ("4755").
    package var modeText: String {
        let digits = String(permissions, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// "MAJOR:MINOR" of a device node, as Linux splits `st_rdev`.
    package var deviceNumberText: String? {
        guard let number = deviceNumber else { return nil }
        let major = (number >> 8) & 0xFFF | (number >> 32) & ~UInt64(0xFFF)
        let minor = number & 0xFF | (number >> 12) & ~UInt64(0xFF)
        return "\(major):\(minor)"
    }

    static func deviceNumber(parsing text: [UInt8]) -> UInt64? {
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2, let major = UInt64(String(decoding: parts[0], as: UTF8.self)),
            let minor = UInt64(String(decoding: parts[1], as: UTF8.self)), major <= 0xFFFF_FFFF, minor <= 0xFFFF_FFFF
        else { return nil }
        return (major & 0xFFF) << 8 | (major & ~0xFFF) << 32 | (minor & 0xFF) | (minor & ~0xFF) << 12
    }
}
