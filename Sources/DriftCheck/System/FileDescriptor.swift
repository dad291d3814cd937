import Glibc

/// An open file descriptor this process owns: closed exactly once, when the last reference to it goes, on every
/// way out of the code that opened it. Like swift-system's `FileDescriptor`, but owning. Made by the opening calls
/// of ``SystemCalls``; code above that layer never calls `close`.
package final class FileDescriptor: Sendable {
    /// The kernel's number for it, for the system calls that take one.
    package let rawValue: Int32

    /// Takes ownership of `rawValue`, which the new object closes.
    init(owning rawValue: Int32) {
        self.rawValue = rawValue
    }

    deinit {
        // A close that fails (EINTR, EIO) has still released the number on Linux; there is nothing to retry.
        _ = Glibc.close(rawValue)
    }

    /// The status of the open object. The corresponding C function is `fstat`.
    func status() -> Result<FileStatus, Errno> {
        SystemCalls.status(of: rawValue)
    }

    /// A second descriptor for the same open object, with close-on-exec set. The corresponding C function is
    /// `fcntl(F_DUPFD_CLOEXEC)`.
    func duplicate() -> Result<FileDescriptor, Errno> {
        let duplicate = fcntl(rawValue, F_DUPFD_CLOEXEC, 0)
        return duplicate < 0 ? .failure(.current) : .success(FileDescriptor(owning: duplicate))
    }
}
