import Glibc

/// A POSIX error number from a failed system call.
struct Errno: Error, Equatable, Sendable, CustomStringConvertible {
    let rawValue: Int32

    /// The error number the last failed call on this thread left in `errno`.
    static var current: Errno { Errno(rawValue: errno) }

    static let interrupted = Errno(rawValue: EINTR)
    static let noEntry = Errno(rawValue: ENOENT)
    static let noData = Errno(rawValue: ENODATA)
    static let exists = Errno(rawValue: EEXIST)

    /// The C library's text for this error ("No such file or directory").
    var description: String { String(cString: strerror(rawValue)) }
}
