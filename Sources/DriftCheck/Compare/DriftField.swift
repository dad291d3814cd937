/// An attribute of a file entry that can differ between baseline and host.
package enum DriftField: String, Sendable, CaseIterable {
    case content, type, mode, owner, group, target, capabilities, size
    /// Major/minor number of a device node.
    case device
    /// One side could not be read completely: its content is unverified.
    case error
    /// The host's content does not match the digest its package recorded (`--verify-packages`).
    case packageChecksum = "package_checksum"
}
