/// An attribute of an entry that can differ between baseline and host.
package enum DriftField: String, Sendable, CaseIterable {
    case content, type, mode, owner, group, target, capabilities, size
    /// Major/minor number of a device node.
    case device
    /// One side could not be read completely: its content is unverified.
    case error
    /// The host's content does not match the digest its package recorded (`--verify-packages`).
    case packageChecksum = "package_checksum"
}

/// What happened to an entry between the baseline and the host.
package enum ChangeKind: String, Sendable {
    case added, removed, modified
    /// A package whose version went up (by its package manager's own ordering).
    case upgraded
    /// A package whose version went down.
    case downgraded
}

/// One value an item reports for the baseline or host side.
package enum DriftValue: Equatable, Sendable {
    case file(FileEntry)
    case record(RecordEntry)
    case text(String)
}

/// One difference between the baseline and the host, with its severity.
package struct DriftItem: Equatable, Sendable {
    /// "file", a record kind ("package", "service", "user" …), or "image" for a host built from another image.
    package var kind: String
    /// The path for files, the record's name otherwise; raw bytes.
    package var name: [UInt8]
    package var change: ChangeKind
    /// For modifications: the attributes that differ (``DriftField`` names for files, record keys otherwise).
    package var fields: [String]
    package var severity: Severity
    package var baseline: DriftValue?
    package var host: DriftValue?
    /// Why the severity is what it is, when it is not obvious from the change ("changed outside the package manager").
    package var note: String?
    /// File items this item explains (a package's files, a service's enablement links), grouped under it.
    package var related: [DriftItem] = []

    package init(
        kind: String, name: [UInt8], change: ChangeKind, fields: [String], severity: Severity,
        baseline: DriftValue?, host: DriftValue?, note: String? = nil
    ) {
        self.kind = kind
        self.name = name
        self.change = change
        self.fields = fields
        self.severity = severity
        self.baseline = baseline
        self.host = host
        self.note = note
    }

    /// The file entry on the host side, else on the baseline side.
    package var fileEntry: FileEntry? {
        if case .file(let entry)? = host { return entry }
        if case .file(let entry)? = baseline { return entry }
        return nil
    }

    /// The record on the host side, else on the baseline side.
    package var record: RecordEntry? {
        if case .record(let entry)? = host { return entry }
        if case .record(let entry)? = baseline { return entry }
        return nil
    }
}
