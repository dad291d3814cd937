import Glibc

/// The image id stamped into an image's root filesystem at `etc/driftcheck/image-id`, so that a scan of a host
/// built from the image knows which baseline it belongs to. `driftcheck baseline` writes it; `scan` reads it.
/// Both walk the path one component at a time with `O_NOFOLLOW`: a symbolic link in the image cannot redirect them.
package enum ImageStamp {
    package static let components: [[UInt8]] = [Array("etc".utf8), Array("driftcheck".utf8)]
    package static let fileName = Array("image-id".utf8)
    package static let relativePath = "etc/driftcheck/image-id"

    /// True when `id` is a usable image id: 1–200 characters from letters, digits and `._:/@+-`.
    package static func isValid(_ id: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@+-".utf8)
        return !id.isEmpty && id.utf8.count <= 200 && id.utf8.allSatisfy { allowed.contains($0) }
    }

    private static func openDirectory(_ root: String, create: Bool) throws(DriftCheckError) -> FileDescriptor {
        var current: FileDescriptor
        switch SystemCalls.open(root, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC) {
        case .success(let descriptor): current = descriptor
        case .failure(let error): throw DriftCheckError(.io, path: root, "cannot open: \(error)")
        }
        for component in components {
            if create, case .failure(let error) = SystemCalls.makeDirectory(at: current, component, mode: 0o755) {
                throw DriftCheckError(.io, path: "\(root)/\(relativePath)", "cannot create directory: \(error)")
            }
            let next = SystemCalls.open(at: current, component, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            switch next {
            case .success(let descriptor): current = descriptor
            case .failure(let error):
                throw DriftCheckError(.io, path: "\(root)/\(relativePath)", "cannot open directory: \(error)")
            }
        }
        return current
    }

    /// The image id stamped in the root, or nil when there is none.
    package static func read(root: String) throws(DriftCheckError) -> String? {
        let directory: FileDescriptor
        do {
            directory = try openDirectory(root, create: false)
        } catch {
            return nil
        }
        return try read(in: directory, root: root)
    }

    /// The image id stamped in `directory` (the root's `etc/driftcheck`), or nil when there is none.
    private static func read(in directory: FileDescriptor, root: String) throws(DriftCheckError) -> String? {
        // Look before opening: a device node or FIFO planted as the stamp is never opened.
        switch SystemCalls.status(at: directory, fileName) {
        case .success(let status) where status.type != .file:
            throw DriftCheckError(.malformed, path: "\(root)/\(relativePath)", "the image stamp is not a regular file")
        case .failure(let error) where error == .noEntry: return nil
        default: break
        }
        let file: FileDescriptor
        switch SystemCalls.open(at: directory, fileName, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) {
        case .success(let descriptor): file = descriptor
        case .failure(let error) where error == .noEntry: return nil
        case .failure(let error): throw DriftCheckError(.io, path: "\(root)/\(relativePath)", "cannot open: \(error)")
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { SystemCalls.read(file, into: $0.baseAddress!, count: $0.count) }
        guard case .success(let length) = count else {
            throw DriftCheckError(.io, path: "\(root)/\(relativePath)", "cannot read the image stamp")
        }
        let text =
            String(decoding: buffer[0..<length], as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard isValid(text) else {
            throw DriftCheckError(.malformed, path: "\(root)/\(relativePath)", "not a valid image id on its first line")
        }
        return text
    }

    /// Writes `id` into the root's stamp file (atomically, mode 0644), creating `etc/driftcheck` if needed. A stamp
    /// that already holds exactly this id, as a regular file of mode 0644, is left untouched (same inode, same
    /// times), so two baselines of one unchanged image are identical.
    package static func write(_ id: String, root: String) throws(DriftCheckError) {
        let directory = try openDirectory(root, create: true)
        let path = "\(root)/\(relativePath)"
        let bytes = Array((id + "\n").utf8)
        if case .success(let status) = SystemCalls.status(at: directory, fileName), status.type == .file,
            status.permissions == 0o644, Int(status.size) == bytes.count,
            (try? read(in: directory, root: root)) == id
        {
            return
        }
        let temporary = Array(".image-id.tmp".utf8)
        SystemCalls.remove(at: directory, temporary)
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        let file: FileDescriptor
        switch SystemCalls.open(at: directory, temporary, flags: flags, mode: 0o644) {
        case .success(let descriptor): file = descriptor
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot write the image stamp: \(error)")
        }
        let written = bytes.withUnsafeBytes { SystemCalls.writeAll(file, $0) }.flatMap {
            SystemCalls.setMode(file, 0o644)
        }.flatMap { SystemCalls.sync(file) }.flatMap { SystemCalls.rename(at: directory, temporary, to: fileName) }
        if case .failure(let error) = written {
            SystemCalls.remove(at: directory, temporary)
            throw DriftCheckError(.io, path: path, "cannot write the image stamp: \(error)")
        }
    }
}
