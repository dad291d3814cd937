import Glibc

/// Walks a tree depth-first with each directory's children sorted by their bytes, which yields the manifest's
/// canonical order. Every step is relative to an open directory descriptor (`openat`, `fstatat` without following
/// links), so no path length limit applies and no symbolic link is ever followed. Regular files are opened with
/// `O_NOFOLLOW|O_NONBLOCK` and checked with `fstat` to be the object that was listed; FIFOs, sockets and devices
/// are never opened. Whatever cannot be examined becomes an error on its entry.
struct Walker {
    /// One directory being walked: its descriptor, its path with a trailing slash, and its sorted child names.
    private struct Frame {
        let descriptor: Int32
        let prefix: [UInt8]
        let device: UInt64
        /// The children, sorted by name, with the type the directory listing gave.
        let children: [(name: [UInt8], type: UInt8)]
        var next = 0
    }

    let crossMounts: Bool
    /// Package ownership to note on each entry.
    let packageFiles: PackageFileIndex
    /// Objects left out entirely (the manifest being written by this scan).
    let excluded: Set<FileIdentity>
    /// The previous manifest whose unchanged files keep their hash without being read.
    let previous: PreviousManifest?
    let verifyingPackages: Bool
    /// Called with a file's path just before it is opened; lets tests race the walker.
    let beforeOpen: (@Sendable ([UInt8]) -> Void)?
    /// Receives each entry in canonical order; returns false to stop the walk.
    let submit: (FileEntry, HashJob?) -> Bool
    /// Told which directory the walk is in, for a progress display.
    var progress: ScanProgress? = nil

    private static let slash = UInt8(ascii: "/")

    /// Walks the tree under the open directory `root`, which becomes "/" in the manifest.
    /// The per-entry error for an object that was listed but could not be opened.
    static func openFailure(_ error: Errno) -> String {
        switch error.rawValue {
        case ENOENT: "vanished during the scan"
        // O_NOFOLLOW met a symbolic link where a file or directory was listed: swapped in, never followed.
        case ELOOP: "replaced by a symbolic link between listing and opening (not followed)"
        case ENOTDIR: "replaced between listing and opening"
        default: "cannot open: \(error)"
        }
    }

    func walk(root: Int32) {
        var stack: [Frame] = []
        defer { for frame in stack { close(frame.descriptor) } }
        switch SystemCalls.status(of: root) {
        case .failure(let error):
            var entry = FileEntry(path: [Self.slash], status: FileStatus(stat()))
            entry.type = .unknown
            entry.error = "cannot stat: \(error)"
            _ = submit(entry, nil)
            return
        case .success(let status):
            var entry = FileEntry(path: [Self.slash], status: status)
            // The walk closes every directory descriptor it holds, so it works on its own copy of the root's.
            let duplicate = fcntl(root, F_DUPFD_CLOEXEC, 0)
            var frame: Frame? = nil
            if duplicate >= 0 {
                frame = enter(duplicate, path: [Self.slash], status: status, entry: &entry)
            } else {
                entry.error = "cannot list: \(Errno.current)"
            }
            guard submit(entry, nil) else {
                if let frame { close(frame.descriptor) }
                return
            }
            if let frame { stack.append(frame) }
        }
        while !stack.isEmpty {
            let top = stack.count - 1
            guard stack[top].next < stack[top].children.count else {
                close(stack.removeLast().descriptor)
                continue
            }
            let (name, listedType) = stack[top].children[stack[top].next]
            stack[top].next += 1
            guard let (entry, job, child) = visit(name, listedAs: listedType, in: stack[top]) else { continue }
            if !excluded.isEmpty, excluded.contains(FileIdentity(device: entry.device, inode: entry.inode)) {
                if let job { close(job.descriptor) }
                continue
            }
            guard submit(entry, job) else {
                if let child { close(child.descriptor) }
                return
            }
            if let child { stack.append(child) }
        }
    }

    /// Lists an opened directory. Returns its frame, or nil (with the reason on `entry`) when it cannot be walked.
    private func enter(_ descriptor: Int32, path: [UInt8], status: FileStatus, entry: inout FileEntry) -> Frame? {
        progress?.entered(path)
        switch SystemCalls.directoryEntries(descriptor) {
        case .failure(let error):
            entry.error = "cannot list: \(error)"
            close(descriptor)
            return nil
        case .success(var children):
            children.sort { CanonicalOrder.bytesPrecede($0.name, $1.name) }
            let prefix = path == [Self.slash] ? path : path + [Self.slash]
            return Frame(descriptor: descriptor, prefix: prefix, device: status.device, children: children)
        }
    }

    private static let fileFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
    private static let directoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC

    // Files and directories are opened with O_NOATIME where allowed
    // (``SystemCalls/openLeavingAccessTime(at:_:flags:)``): a scan leaves access times as they were. They are evidence
    // on a host under investigation, and under `relatime` a daily scan would otherwise write the inode of every file
    // it reads.

    /// The entry of a path with its status, noting the package that owns it.
    private func entry(_ path: [UInt8], _ status: FileStatus) -> (FileEntry, PackageFileIndex.Owner?) {
        var entry = FileEntry(path: path, status: status)
        let owner = packageFiles.owner(of: path)
        if let owner {
            entry.package = owner.package
            entry.conffile = owner.conffile
        }
        return (entry, owner)
    }

    /// Examines one child of `frame`: its entry, a hash job for a regular file, a frame for a directory to descend.
    private func visit(_ name: [UInt8], listedAs listedType: UInt8, in frame: Frame) -> (FileEntry, HashJob?, Frame?)? {
        let path = frame.prefix + name
        // A full scan opens what the listing calls a regular file straight away, and takes its status from the
        // descriptor: one system call fewer per file than `lstat` first. O_NOFOLLOW|O_NONBLOCK make a name swapped
        // for a link or a FIFO since the listing fail or return at once, and anything that is not a regular file
        // by `fstat` is closed unread and examined below by `lstat`, like any other entry. (A device swapped in
        // between listing and opening gets opened, as it could between `lstat` and opening; it is never read.)
        // An incremental scan stats first: most files keep their hash and are never opened.
        if previous == nil, listedType == UInt8(DT_REG) {
            beforeOpen?(path)
            if case .success(let descriptor) = SystemCalls.openLeavingAccessTime(
                at: frame.descriptor, name, flags: Self.fileFlags)
            {
                if case .success(let status) = SystemCalls.status(of: descriptor), status.type == .file {
                    let (entry, owner) = entry(path, status)
                    return (entry, HashJob(descriptor: descriptor, status: status, expected: owner?.expected), nil)
                }
                close(descriptor)
            }
            // It could not be opened, or is no longer a regular file: examined below, and the error said there.
            return visitByStatus(path, name, in: frame, hooked: true)
        }
        return visitByStatus(path, name, in: frame, hooked: false)
    }

    /// Examines one child of `frame` starting from `lstat`. `hooked`: ``beforeOpen`` was already called for it.
    private func visitByStatus(_ path: [UInt8], _ name: [UInt8], in frame: Frame, hooked: Bool)
        -> (FileEntry, HashJob?, Frame?)?
    {
        let status: FileStatus
        switch SystemCalls.status(at: frame.descriptor, name) {
        case .success(let found): status = found
        case .failure(let error):
            var entry = FileEntry(path: path, status: FileStatus(stat()))
            entry.type = .unknown
            entry.error = error == .noEntry ? "vanished during the scan" : "cannot stat: \(error)"
            return (entry, nil, nil)
        }
        var (entry, owner) = entry(path, status)
        switch status.type {
        case .file:
            if let previous,
                let reused = previous.reusable(
                    path, status: status, needsPackageCheck: verifyingPackages && owner?.expected != nil)
            {
                entry.sha256 = reused.sha256
                entry.blockDigest = reused.blockDigest
                entry.capabilities = reused.capabilities
                if verifyingPackages { entry.packageCheck = reused.packageCheck }
                return (entry, nil, nil)
            }
            if !hooked { beforeOpen?(path) }
            switch SystemCalls.openLeavingAccessTime(at: frame.descriptor, name, flags: Self.fileFlags) {
            case .failure(let error):
                entry.error = Self.openFailure(error)
                return (entry, nil, nil)
            case .success(let descriptor):
                guard case .success(let opened) = SystemCalls.status(of: descriptor), opened.isSameObject(as: status)
                else {
                    close(descriptor)
                    entry.error = "replaced between listing and opening"
                    return (entry, nil, nil)
                }
                return (entry, HashJob(descriptor: descriptor, status: status, expected: owner?.expected), nil)
            }
        case .symlink:
            switch SystemCalls.linkTarget(at: frame.descriptor, name) {
            case .success(let target): entry.target = target
            case .failure(let error) where error.rawValue == EINVAL:
                entry.error = "replaced between listing and reading the link"
            case .failure(let error): entry.error = "cannot read link: \(error)"
            }
            return (entry, nil, nil)
        case .dir:
            if status.device != frame.device && !crossMounts {
                entry.unscanned = "mount"
                return (entry, nil, nil)
            }
            switch SystemCalls.openLeavingAccessTime(at: frame.descriptor, name, flags: Self.directoryFlags) {
            case .failure(let error):
                entry.error = Self.openFailure(error)
                return (entry, nil, nil)
            case .success(let descriptor):
                guard case .success(let opened) = SystemCalls.status(of: descriptor), opened.isSameObject(as: status)
                else {
                    close(descriptor)
                    entry.error = "replaced between listing and opening"
                    return (entry, nil, nil)
                }
                if status.device != frame.device, case .success(let magic) = SystemCalls.filesystemType(of: descriptor),
                    PseudoFilesystem.contains(magic: magic)
                {
                    close(descriptor)
                    entry.unscanned = "pseudo-filesystem"
                    return (entry, nil, nil)
                }
                let child = enter(descriptor, path: path, status: status, entry: &entry)
                return (entry, nil, child)
            }
        default:
            return (entry, nil, nil)
        }
    }
}
