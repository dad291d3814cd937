import Glibc

/// Which object a path names, independent of its path: device and inode.
package struct FileIdentity: Hashable, Sendable {
    package var device: UInt64
    package var inode: UInt64
}
