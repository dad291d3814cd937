/// A file digest as a package database records it: MD5 in dpkg's `*.md5sums`, usually SHA-256 in rpm headers.
package enum PackageDigest: Sendable, Equatable {
    case md5([UInt8])
    case sha256([UInt8])
}
