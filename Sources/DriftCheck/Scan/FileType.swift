import Glibc

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
