/// The outcome of checking a package-owned file against the digest its package recorded (`--verify-packages`),
/// written as `"pkg_check"` in the file's manifest line.
package enum PackageCheck: String, Sendable {
    /// The content matches the package's digest.
    case ok
    /// The content differs from the package's digest.
    case mismatch
}
