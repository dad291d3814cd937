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

    private static func openDirectory(_ root: String, create: Bool) throws(DriftCheckError) -> Int32 {
        var current: Int32
        switch SystemCalls.open(root, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC) {
        case .success(let descriptor): current = descriptor
        case .failure(let error): throw DriftCheckError(.io, path: root, "cannot open: \(error)")
        }
        for component in components {
            if create {
                let made = SystemCalls.withCName(component) { mkdirat(current, $0, 0o755) }
                if made != 0 && errno != EEXIST {
                    let error = Errno.current
                    close(current)
                    throw DriftCheckError(.io, path: "\(root)/\(relativePath)", "cannot create directory: \(error)")
                }
            }
            let next = SystemCalls.open(at: current, component, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(current)
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
        let directory: Int32
        do {
            directory = try openDirectory(root, create: false)
        } catch {
            return nil
        }
        defer { close(directory) }
        // Look before opening: a device node or FIFO planted as the stamp is never opened.
        switch SystemCalls.status(at: directory, fileName) {
        case .success(let status) where status.type != .file:
            throw DriftCheckError(.malformed, path: "\(root)/\(relativePath)", "the image stamp is not a regular file")
        case .failure(let error) where error == .noEntry: return nil
        default: break
        }
        let file: Int32
        switch SystemCalls.open(at: directory, fileName, flags: O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) {
        case .success(let descriptor): file = descriptor
        case .failure(let error) where error == .noEntry: return nil
        case .failure(let error): throw DriftCheckError(.io, path: "\(root)/\(relativePath)", "cannot open: \(error)")
        }
        defer { close(file) }
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

    /// Writes `id` into the root's stamp file (atomically, mode 0644), creating `etc/driftcheck` if needed.
    package static func write(_ id: String, root: String) throws(DriftCheckError) {
        let directory = try openDirectory(root, create: true)
        defer { close(directory) }
        let path = "\(root)/\(relativePath)"
        let temporary = Array(".image-id.tmp".utf8)
        _ = SystemCalls.withCName(temporary) { unlinkat(directory, $0, 0) }
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        let file: Int32
        switch SystemCalls.open(at: directory, temporary, flags: flags, mode: 0o644) {
        case .success(let descriptor): file = descriptor
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot write the image stamp: \(error)")
        }
        let bytes = Array((id + "\n").utf8)
        let written = bytes.withUnsafeBytes { SystemCalls.writeAll(file, $0) }
        _ = fchmod(file, 0o644)
        let synced = SystemCalls.sync(file)
        close(file)
        let renamed = SystemCalls.withCName(temporary) { from in
            SystemCalls.withCName(fileName) { to in renameat(directory, from, directory, to) }
        }
        guard case .success = written, case .success = synced, renamed == 0 else {
            _ = SystemCalls.withCName(temporary) { unlinkat(directory, $0, 0) }
            throw DriftCheckError(.io, path: path, "cannot write the image stamp: \(Errno.current)")
        }
    }
}
