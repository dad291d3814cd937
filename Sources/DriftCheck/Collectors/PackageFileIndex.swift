/// Which package installed each path, as the package managers' databases in the scanned root say.
package struct PackageFileIndex: Sendable {
    package struct Owner: Sendable, Equatable {
        package var package: String
        package var conffile: Bool
        /// The digest the package database records for the file's content, when it has one.
        package var expected: PackageDigest? = nil
    }

    private var owners: [[UInt8]: Owner] = [:]

    package init() {}

    package var count: Int { owners.count }

    /// Records that `package` installed `path`; the first owner of a shared path (a directory) is kept, but a
    /// conffile declaration always sticks.
    package mutating func add(_ path: [UInt8], package: String, conffile: Bool = false) {
        if var existing = owners[path] {
            if conffile && !existing.conffile {
                existing = Owner(package: package, conffile: true)
                owners[path] = existing
            }
            return
        }
        owners[path] = Owner(package: package, conffile: conffile)
    }

    package func owner(of path: [UInt8]) -> Owner? { owners[path] }

    /// Every path for which a package database records a content digest.
    package var pathsWithDigests: [[UInt8]] { owners.compactMap { $0.value.expected == nil ? nil : $0.key } }

    /// Records the package database's digest for a path that `add` already recorded.
    package mutating func setExpected(_ digest: PackageDigest, for path: [UInt8]) {
        owners[path]?.expected = digest
    }
}
