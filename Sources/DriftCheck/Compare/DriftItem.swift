/// One difference between the baseline and the host, with its severity.
package struct DriftItem: Equatable, Sendable {
    package var kind: EntryKind
    /// The path for files, the record's name otherwise; raw bytes.
    package var name: [UInt8]
    package var change: ChangeKind
    /// For modifications: the attributes that differ.
    package var fields: [ChangedField]
    package var severity: Severity
    package var baseline: DriftValue?
    package var host: DriftValue?
    /// Why the severity is what it is, when it is not obvious from the change.
    package var finding: Finding?
    /// File items this item explains (a package's files, a service's enablement links), grouped under it.
    package var related: [DriftItem] = []
    /// Set by the comparison for a top-level item whose ``tamperingEvidence`` is not empty.
    package var tampering = false
    /// The configuration-management tool the policy says owns this item (`managed:`): reported at info level,
    /// never a reason to rebuild, never a snowflake.
    package var managedBy: String? = nil
    /// What changed inside a text file whose content both manifests kept (or the one side kept, for an added or
    /// removed file).
    package var diff: UnifiedDiff? = nil
    /// When it changed and what the host's own logs say did it.
    package var evidence: Evidence? = nil

    package init(
        kind: EntryKind, name: [UInt8], change: ChangeKind, fields: [ChangedField], severity: Severity,
        baseline: DriftValue?, host: DriftValue?, finding: Finding? = nil
    ) {
        self.kind = kind
        self.name = name
        self.change = change
        self.fields = fields
        self.severity = severity
        self.baseline = baseline
        self.host = host
        self.finding = finding
    }

    /// The sentence reports print beside the item, if any.
    package var note: String? { finding?.note }

    /// The file entry on the host side, else on the baseline side.
    package var fileEntry: FileEntry? {
        if case .file(let entry)? = host { return entry }
        if case .file(let entry)? = baseline { return entry }
        return nil
    }

    /// The file entry on the baseline side, if the item is a file that exists there.
    package var baselineFile: FileEntry? {
        if case .file(let entry)? = baseline { return entry }
        return nil
    }

    /// The file entry on the host side, if the item is a file that exists there.
    package var hostFile: FileEntry? {
        if case .file(let entry)? = host { return entry }
        return nil
    }

    /// True when the item is a new executable file, or a file that gained an execute bit.
    package var isNewExecutable: Bool {
        guard let entry = hostFile, entry.isExecutableFile else { return false }
        switch change {
        case .added: return true
        case .modified:
            if case .file(let old)? = baseline { return !old.isExecutableFile }
            return false
        default: return false
        }
    }

    /// The record on the host side, else on the baseline side.
    package var record: RecordEntry? {
        if case .record(let entry)? = host { return entry }
        if case .record(let entry)? = baseline { return entry }
        return nil
    }

    /// The name as text (records' names are UTF-8; a file name that is not decodes with replacement characters),
    /// for matching against other records' names.
    package var nameText: String { String(decoding: name, as: UTF8.self) }

    /// What, in this top-level item and what is grouped under it, looks like tampering: the item itself, and any
    /// grouped item that does, whether or not the owner itself changed legitimately; under a package, all of that
    /// but a setuid bit or capabilities on that package's own files
    /// (a file of an upgraded package has already lost "changed outside the package manager": see
    /// ``SeverityRules/reassess(_:under:)``).
    package var tamperingEvidence: [DriftItem] {
        let own = looksLikeTampering ? [self] : []
        return own + related.filter { $0.looksLikeTampering && !explains($0) }
    }

    /// True when `child`, grouped under this item, is what this item's own change consists of. For a package: a
    /// file of this package with no finding, or with the setuid bit or capabilities the package gives it when
    /// dpkg's window for this package's install or upgrade holds the file's ctime
    /// (``SeverityRules/changedWithPackage(_:parent:)``; with no such evidence, privilege is never explained), and
    /// its directories' owner or mode only inside that window. For a service: its own unit file, enablement links,
    /// drop-ins, SysV script and links (``Grouping/belongs(_:toService:)``), with no finding, never a program whose
    /// content changed. For a cron job: its crontab. For an account: the account databases. Nothing privileged.
    package func explains(_ child: DriftItem) -> Bool {
        guard let entry = child.fileEntry, child.kind == .file else { return false }
        // A program that changed is never explained by anything but its own package's change.
        let programChanged =
            (child.hostFile?.isExecutableFile == true || entry.isExecutableFile)
            && (child.change != .modified || child.fields.contains(anyOf: [.content, .type, .target]))
        switch kind {
        case .package:
            guard entry.package == nameText else { return false }
            // A directory of the package whose owner or mode changed: only inside dpkg's window for it.
            if entry.type == .dir, child.fields.contains(anyOf: [.mode, .owner, .group]) {
                return SeverityRules.changedWithPackage(child, parent: self) == true
            }
            switch child.finding {
            case nil: return true
            case .gainedPrivilege?: return SeverityRules.changedWithPackage(child, parent: self) == true
            default: return false
            }
        case .service:
            return child.finding == nil && child.hostFile?.holdsPrivilege != true && !programChanged
                && Grouping.belongs(entry.path, toService: nameText)
        case .cron:
            return child.finding == nil && child.hostFile?.holdsPrivilege != true && entry.path == name
        case .user, .group:
            return child.finding == nil
                && Grouping.accountFiles.contains { SeverityRules.isPath(entry.path, below: $0) }
        default:
            return false
        }
    }

    /// True when `child`, grouped under this item, is worth a line even in the one-line-per-item text report and
    /// a reason of its own: it looks like tampering or is critical, or this item's change does not explain it and
    /// it is an account, a new program, carries a finding, or sits in a place that controls logins, privilege, the
    /// loader, services or jobs (an `authorized_keys` in a home, a sudoers file).
    package func shouldShow(_ child: DriftItem) -> Bool {
        if child.looksLikeTampering || child.severity == .critical { return true }
        guard !explains(child), child.managedBy == nil else { return false }
        return child.kind == .user || child.kind == .group || child.isNewExecutable || child.finding != nil
            || (child.kind == .file && Grouping.isSensitive(child.name))
    }

    /// True when this item looks like tampering rather than an operator's change: a package-owned file failing its
    /// package checksum; or, while still critical after the policy, a file with a tampering finding (privilege
    /// gained, changed outside its package manager) or an account that became root.
    package var looksLikeTampering: Bool {
        if fields.contains(.file(.packageChecksum)) { return true }
        guard severity == .critical else { return false }
        switch kind {
        case .file:
            switch finding {
            case .gainedPrivilege?, .packageChecksumMismatch?, .changedOutsidePackageManager?,
                .privilegeInQuietedPath?, .privilegedFileChanged?:
                return true
            case .rootAccount?, .conffileEdited?, .executableInDataPath?, .unconfirmedPackageChange?, nil: return false
            }
        case .user: return finding == .rootAccount
        default: return false
        }
    }
}
