/// Why an item is rated as it is when the change alone does not say: each of these is a sign of tampering rather
/// than of an operator's change, and makes the recommendation `investigate` when the item stays critical.
package enum Finding: Equatable, Sendable {
    /// A new or changed account has uid 0.
    case rootAccount
    /// A file gained setuid/setgid bits or file capabilities.
    case gainedPrivilege
    /// A package-owned file's content does not match the digest its package recorded (`--verify-packages`).
    case packageChecksumMismatch(package: String)
    /// A package-owned file (not a conffile) changed while its package did not.
    case changedOutsidePackageManager(package: String)
    /// A package's conffile was edited in place: configuration drift, not tampering.
    case conffileEdited(package: String)
    /// A file with setuid/setgid bits or capabilities in a path a policy rule quiets: no rule hides privilege.
    case privilegeInQuietedPath
    /// A new executable file in a path the policy quiets as data (logs, caches, spools, scratch).
    case executableInDataPath
    /// A file that no package owns, holding setuid/setgid or capabilities, whose content, type or owner changed.
    case privilegedFileChanged
    /// A package's file changed with its upgrade, but neither dpkg.log nor a package digest confirms it.
    case unconfirmedPackageChange(package: String)

    /// The sentence reports print beside the item.
    package var note: String {
        switch self {
        case .rootAccount: "an account with uid 0 is root"
        case .gainedPrivilege: "gained setuid/setgid or capabilities"
        case .packageChecksumMismatch(let package): "content does not match the checksum recorded by package \(package)"
        case .changedOutsidePackageManager(let package):
            "changed outside the package manager (owned by package \(package))"
        case .conffileEdited(let package): "conffile of package \(package) edited by hand"
        case .privilegeInQuietedPath: "has setuid/setgid or capabilities in a path the policy quiets"
        case .executableInDataPath: "a new executable where the policy expects only data"
        case .privilegedFileChanged: "a file with setuid/setgid or capabilities changed"
        case .unconfirmedPackageChange(let package):
            "changed with package \(package), but neither dpkg.log nor a package digest confirms it"
        }
    }
}
