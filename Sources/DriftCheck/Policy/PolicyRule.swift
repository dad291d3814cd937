/// One rule of a policy: what it selects (a path glob, or a kind and a name glob) and what it does to the items it
/// selects (ignore them, watch only some fields, set their severity). Rules are evaluated in order; the first rule
/// that selects an item decides for it.
package struct PolicyRule: Equatable, Sendable {
    /// Selects file items whose path matches.
    package var path: PathGlob?
    /// Selects items of this kind (`file`, `package`, `service`, `user`, `group`, `cron`, `port`, `module`).
    package var kind: EntryKind?
    /// Selects items whose name matches (for records: the package, unit, account … name).
    package var name: PathGlob?
    /// Selects only these changes (`added`, `removed`, `modified`, `upgraded`, `downgraded`); empty means all.
    package var changes: [ChangeKind] = []
    /// Drop the selected items.
    package var ignore = false
    /// Compare only these fields of modified items; an item left with no field is dropped.
    package var watch: [String]? = nil
    /// Give the selected items this severity.
    package var severity: Severity? = nil
    /// Where the rule came from ("policy.yaml:12", "default").
    package var origin: String

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
        return true
    }
}
