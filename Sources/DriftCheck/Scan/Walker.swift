import Glibc

/// Walks a tree depth-first with each directory's children sorted by their bytes, which yields the manifest's
/// canonical order. Every step is relative to an open directory descriptor (`openat`, `fstatat` without following
/// links), so no path length limit applies and no symbolic link is ever followed. Regular files are opened with
/// `O_NOFOLLOW|O_NONBLOCK` and checked with `fstat` to be the object that was listed; FIFOs, sockets and devices
/// are never opened. Whatever cannot be examined becomes an error on its entry.
struct Walker {
    /// One directory being walked: its descriptor, its path with a trailing slash, and its sorted child names.
    private struct Frame {
        let descriptor: FileDescriptor
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

    func walk(root: FileDescriptor) {
        var stack: [Frame] = []
        switch SystemCalls.status(of: root) {
        case .failure(let error):
            var entry = FileEntry(path: [Self.slash], status: FileStatus(stat()))
            entry.type = .unknown
            entry.error = "cannot stat: \(error)"
            _ = submit(entry, nil)
            return
        case .success(let status):
            var entry = FileEntry(path: [Self.slash], status: status)
            let frame = enter(root, path: [Self.slash], status: status, entry: &entry)
            guard submit(entry, nil) else { return }
            if let frame { stack.append(frame) }
        }
        while !stack.isEmpty {
            let top = stack.count - 1
            guard stack[top].next < stack[top].children.count else {
                stack.removeLast()
                continue
            }
            let (name, listedType) = stack[top].children[stack[top].next]
            stack[top].next += 1
            guard let (entry, job, child) = visit(name, listedAs: listedType, in: stack[top]) else { continue }
            // An excluded object is left out whole: a directory's descriptor goes with its frame, unwalked.
            if !excluded.isEmpty, excluded.contains(FileIdentity(device: entry.device, inode: entry.inode)) {
                continue
            }
            guard submit(entry, job) else { return }
            if let child { stack.append(child) }
        }
    }

    /// Lists an opened directory. Returns its frame, or nil (with the reason on `entry`) when it cannot be walked.
    private func enter(_ descriptor: FileDescriptor, path: [UInt8], status: FileStatus, entry: inout FileEntry)
        -> Frame?
    {
        progress?.entered(path)
        switch SystemCalls.directoryEntries(descriptor) {
        case .failure(let error):
            entry.error = "cannot list: \(error)"
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

    /// Why a listed name could not be opened as what it was listed as.
    private enum OpenFailure: Error {
        case cannotOpen(Errno)
        case replaced

        /// The per-entry error.
        var message: String {
            switch self {
            case .cannotOpen(let error): Walker.openFailure(error)
            case .replaced: "replaced between listing and opening"
            }
        }
    }

    /// Opens `name` in `frame` (without following a link, leaving its access time) and confirms with `fstat` that
    /// what was opened is what the walk expects (`confirming`): the one way both walker paths open files and
    /// directories. The descriptor is closed again when the check fails.
    private func open(
        _ name: [UInt8], in frame: Frame, flags: Int32, confirming expected: (FileStatus) -> Bool
    ) -> Result<(FileDescriptor, FileStatus), OpenFailure> {
        switch SystemCalls.openLeavingAccessTime(at: frame.descriptor, name, flags: flags) {
        case .failure(let error): return .failure(.cannotOpen(error))
        case .success(let descriptor):
            guard case .success(let opened) = descriptor.status(), expected(opened) else { return .failure(.replaced) }
            return .success((descriptor, opened))
        }
    }

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
            if case .success(let (descriptor, status)) = open(
                name, in: frame, flags: Self.fileFlags,
                confirming: {
                    $0.type == .file
                })
            {
                let (entry, owner) = entry(path, status)
                return (entry, HashJob(descriptor: descriptor, status: status, expected: owner?.expected), nil)
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
            switch open(name, in: frame, flags: Self.fileFlags, confirming: { $0.isSameObject(as: status) }) {
            case .failure(let failure):
                entry.error = failure.message
                return (entry, nil, nil)
            case .success(let (descriptor, _)):
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
            switch open(name, in: frame, flags: Self.directoryFlags, confirming: { $0.isSameObject(as: status) }) {
            case .failure(let failure):
                entry.error = failure.message
                return (entry, nil, nil)
            case .success(let (descriptor, _)):
                if status.device != frame.device, case .success(let magic) = SystemCalls.filesystemType(of: descriptor),
                    PseudoFilesystem.contains(magic: magic)
                {
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
