/// A package-owned file that fails `--verify-packages`, as the scan reports it while it runs (like debsums).
package struct PackageMismatch: Sendable {
    /// What is wrong with the file.
    package enum Problem: Sendable {
        /// Its content does not match the digest the package recorded.
        case contentDiffers
        /// The package recorded it, but the root does not have it.
        case missing
    }

    package var path: [UInt8]
    package var package: String
    package var problem: Problem
}
