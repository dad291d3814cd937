/// One source of records beyond the filesystem: a package database, the service manager, the accounts.
/// A collector reads its source offline from the root (so it works on an image rootfs as on a live `/`); a source
/// that is absent yields nothing, which is not an error.
package protocol Collector: Sendable {
    /// The collector's name, listed in the manifest header.
    var name: String { get }
    /// Adds this collector's records (and package file ownership) to `state`.
    func collect(from root: RootDirectory, into state: inout CollectedState)
}
