/// What happened to an entry between the baseline and the host.
package enum ChangeKind: String, Sendable, CaseIterable {
    case added, removed, modified
    /// A package whose version went up (by its package manager's own ordering).
    case upgraded
    /// A package whose version went down.
    case downgraded
}
