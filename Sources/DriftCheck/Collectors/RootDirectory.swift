import Glibc

/// Read-only access to files inside a scanned root, for the collectors. Every path is resolved one component at a
/// time relative to the root's descriptor with `O_NOFOLLOW`, so a symbolic link in the root (an image may hold
/// absolute links meant for its own `/`) can never lead a collector outside it.
package final class RootDirectory {
    package let path: String
    private let descriptor: FileDescriptor

    package init(path: String) throws(DriftCheckError) {
        self.path = path
        switch SystemCalls.open(path, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot open: \(error)")
        }
    }

    /// True when this is the live root of the running system (live-only collectors run only then).
    /// Computed once: the scan and three collectors ask.
    package private(set) lazy var isLiveRoot: Bool = {
        guard case .success(let mine) = SystemCalls.status(of: self.descriptor),
            case .success(let root) = SystemCalls.open("/", flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC),
            case .success(let slash) = root.status()
        else { return false }
        return mine.isSameObject(as: slash)
    }()

    /// The components of a relative path, or nil when one is `.` or `..`: names that come from the scanned tree
    /// (a package's file list) must not reach outside the root.
    private static func components(_ relative: String) -> [[UInt8]]? {
        let parts = Array(relative.utf8).split(separator: UInt8(ascii: "/")).map(Array.init)
        let dot = UInt8(ascii: ".")
        return parts.contains { $0 == [dot] || $0 == [dot, dot] } ? nil : parts
    }

    /// Opens the directory holding the last component; returns it with the last component's name.
    private func openParent(_ relative: String) -> (FileDescriptor, [UInt8])? {
        guard var parts = RootDirectory.components(relative), let last = parts.popLast() else { return nil }
        var current = descriptor
        for part in parts {
            let next = SystemCalls.open(at: current, part, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard case .success(let opened) = next else { return nil }
            current = opened
        }
        return (current, last)
    }

    /// The bytes of a regular file, or nil when it does not exist, is not a regular file, or cannot be read.
    /// Files larger than `limit` are refused (nil). Like the scanner, it looks before it opens: a device node or
    /// FIFO planted where a database is expected is never opened (opening some devices has effects).
    package func read(_ relative: String, limit: Int = 64 << 20) -> [UInt8]? {
        guard let (parent, name) = openParent(relative) else { return nil }
        guard case .success(let listed) = SystemCalls.status(at: parent, name), listed.type == .file else {
            return nil
        }
        let flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
        guard case .success(let file) = SystemCalls.open(at: parent, name, flags: flags),
            case .success(let status) = file.status(), status.type == .file, status.isSameObject(as: listed),
            status.size <= Int64(limit)
        else { return nil }
        // Read to the end rather than st_size bytes: /proc files report a size of 0.
        guard case .success(let bytes?) = SystemCalls.readToEnd(file, sizeHint: Int(status.size), limit: limit) else {
            return nil
        }
        return bytes
    }

    /// Up to `count` bytes of a regular file from `offset` (fewer at its end), opened as ``read(_:limit:)`` opens
    /// files; nil when it cannot be opened or read. For indexed files too large to read whole (`lastlog`).
    package func read(_ relative: String, at offset: Int64, count: Int) -> [UInt8]? {
        guard let (parent, name) = openParent(relative),
            case .success(let listed) = SystemCalls.status(at: parent, name), listed.type == .file
        else { return nil }
        let flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
        guard case .success(let file) = SystemCalls.open(at: parent, name, flags: flags),
            case .success(let status) = file.status(), status.type == .file, status.isSameObject(as: listed)
        else { return nil }
        guard offset < status.size else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { raw in
            SystemCalls.read(file, into: raw.baseAddress!, count: count, at: offset)
        }
        guard case .success(let got) = read else { return nil }
        return Array(bytes[0..<got])
    }

    /// The sorted names in a directory, or nil when it does not exist or is not a directory.
    package func list(_ relative: String) -> [String]? {
        let directory: FileDescriptor
        guard let components = RootDirectory.components(relative) else { return nil }
        if components.isEmpty {
            directory = descriptor
        } else {
            guard let (parent, name) = openParent(relative),
                case .success(let opened) = SystemCalls.open(
                    at: parent, name, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            else { return nil }
            directory = opened
        }
        guard case .success(let names) = SystemCalls.directoryNames(directory) else { return nil }
        return names.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    /// The `lstat` of a path, or nil when it does not exist.
    func status(_ relative: String) -> FileStatus? {
        guard let (parent, name) = openParent(relative),
            case .success(let status) = SystemCalls.status(at: parent, name)
        else { return nil }
        return status
    }

    /// The target of a symbolic link, or nil when the path is not one.
    package func linkTarget(_ relative: String) -> String? {
        guard let (parent, name) = openParent(relative),
            case .success(let target) = SystemCalls.linkTarget(at: parent, name)
        else { return nil }
        return String(decoding: target, as: UTF8.self)
    }

    /// SHA-256 (hex) of a regular file's content, or nil.
    package func digest(_ relative: String) -> String? {
        read(relative).map { bytes in bytes.withUnsafeBytes { Hex.encode(SHA256Hasher.digest($0)) } }
    }
}
