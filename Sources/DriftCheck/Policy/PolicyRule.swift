/// One rule of a policy: what it selects (a path glob, or a kind and a name glob, narrowed by change and by the
/// fields that changed) and what it does to the items it selects (ignore them, watch only some fields, set their
/// severity). Rules are evaluated in order; the first rule that selects an item decides for it.
///
/// No rule hides privilege: a file holding setuid/setgid bits or capabilities is never quieted, except by a rule
/// that names that very file (no wildcard) and that privilege in `allow_privilege`. And a new executable in a tree
/// a `data` rule quiets is reported at medium at least.
package struct PolicyRule: Equatable, Sendable {
    /// Selects file items whose path matches.
    package var path: PathGlob?
    /// Selects items of this kind (`file`, `package`, `service`, `user`, `group`, `cron`, `port`, `module`).
    package var kind: EntryKind?
    /// Selects items whose name matches (for records: the package, unit, account … name).
    package var name: PathGlob?
    /// Selects only these changes (`added`, `removed`, `modified`, `upgraded`, `downgraded`); empty means all.
    package var changes: [ChangeKind] = []
    /// Selects a modified file only when every field that changed is one of these (`quiets: [content, size]` for
    /// a file each host writes for itself): a change of its type, mode, owner, group or capabilities passes on to
    /// the next rule with its full severity. Nil: any fields.
    package var quiets: [DriftField]? = nil
    /// The selected tree holds data (logs, caches, spools, scratch), never programs.
    package var data = false
    /// The privileges (`setuid`, `setgid`, `capabilities`) this rule may quiet on the one file its path names.
    package var allowedPrivileges: [Privilege] = []
    /// Drop the selected items.
    package var ignore = false
    /// Compare only these fields of modified items; an item left with no field is dropped.
    package var watch: [String]? = nil
    /// Give the selected items this severity.
    package var severity: Severity? = nil
    /// Where the rule came from ("policy.yaml:12", "default").
    package var origin: String

    /// A privilege a file can hold.
    package enum Privilege: String, Sendable, CaseIterable {
        case setuid, setgid, capabilities
    }

    package init(origin: String) {
        self.origin = origin
    }

    /// True when this rule selects `item`.
    package func selects(_ item: DriftItem) -> Bool {
        if let kind, kind != item.kind { return false }
        if let path {
            guard item.kind == .file, path.matches(item.name) else { return false }
        }
        if let name, !name.matches(item.name) { return false }
        if !changes.isEmpty && !changes.contains(item.change) { return false }
        if let quiets, item.change == .modified {
            for field in item.fields {
                guard case .file(let changed) = field, quiets.contains(changed) else { return false }
            }
        }
        return true
    }

    /// True when applying this rule to `item` would make it quieter: drop it, drop fields, or lower its severity.
    func quiets(_ item: DriftItem) -> Bool {
        ignore || watch != nil || severity.map { $0 < item.severity } ?? false
    }

    /// True when this rule names the very file `item` is (no wildcard) and allows every privilege it holds, and
    /// the file is new or only its mode or capabilities changed: a changed program keeps its severity.
    func allowsPrivileges(of item: DriftItem) -> Bool {
        guard let path, !path.pattern.contains(where: { "*?[".contains($0) }), path.matches(item.name),
            let entry = item.hostFile,
            item.change == .added || item.fields.allSatisfy({ [.file(.mode), .file(.capabilities)].contains($0) })
        else { return false }
        return Privilege.allCases.allSatisfy { privilege in
            !entry.holds(privilege) || allowedPrivileges.contains(privilege)
        }
    }
}

extension FileEntry {
    fileprivate func holds(_ privilege: PolicyRule.Privilege) -> Bool {
        switch privilege {
        case .setuid: type == .file && permissions & 0o4000 != 0
        case .setgid: type == .file && permissions & 0o2000 != 0
        case .capabilities: capabilities != nil
        }
    }
}
