/// An attribute of an entry that can differ between baseline and host.
package enum DriftField: String, Sendable, CaseIterable {
    case content, type, mode, owner, group, target, capabilities, size
    /// Major/minor number of a device node.
    case device
    /// One side could not be read completely: its content is unverified.
    case error
}

/// What happened to an entry between the baseline and the host.
package enum ChangeKind: String, Sendable {
    case added, removed, modified
}

/// One value an item reports for the baseline or host side.
package enum DriftValue: Equatable, Sendable {
    case file(FileEntry)
    case text(String)
}

/// One difference between the baseline and the host, with its severity.
package struct DriftItem: Equatable, Sendable {
    /// "file", or "image" for a host built from a different image than the baseline.
    package var kind: String
    /// The path for files; raw bytes.
    package var name: [UInt8]
    package var change: ChangeKind
    /// For `modified`: the attributes that differ.
    package var fields: [DriftField]
    package var severity: Severity
    package var baseline: DriftValue?
    package var host: DriftValue?

    package init(
        kind: String, name: [UInt8], change: ChangeKind, fields: [DriftField], severity: Severity,
        baseline: DriftValue?, host: DriftValue?
    ) {
        self.kind = kind
        self.name = name
        self.change = change
        self.fields = fields
        self.severity = severity
        self.baseline = baseline
        self.host = host
    }
}
