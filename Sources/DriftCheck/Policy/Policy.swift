/// What counts as drift and what to do about it: rules (first match wins), the live-only allowlist, and the rebuild
/// rules. Built from the built-in default policy, a policy file, or both (the file's rules first).
package struct Policy: Sendable {
    package var rules: [PolicyRule] = []
    package var allowedPorts: [String] = []
    package var allowedModules: [String] = []
    /// What configuration-management tools own on the hosts (`managed:`).
    package var managed: [ManagedDeclaration] = []
    /// Which files' content manifests keep (`content:`); nil: the policy file does not say (the defaults apply).
    package var content: ContentPolicy? = nil
    /// When to recommend a rebuild (`rebuild:`).
    package var rebuild = RebuildRules()
    /// `check` rehashes every file (no reuse of the previous manifest) after this many incremental runs…
    package var fullRehashEveryRuns = 24
    /// …or when the last full scan is this many days old.
    package var fullRehashEveryDays = 7
    /// Where the policy came from, for `policy show`.
    package var sources: [String] = []

    package init() {}

    /// The content settings in force: the policy's, else the built-in ones.
    package var effectiveContent: ContentPolicy { content ?? ContentPolicy() }

    /// The live-only allowlist this policy carries.
    package var allowlist: LiveAllowlist {
        var list = LiveAllowlist()
        for pattern in allowedPorts { list.add(kind: .port, pattern: pattern) }
        for pattern in allowedModules { list.add(kind: .module, pattern: pattern) }
        return list
    }

    /// What the policy did to a list of items.
    package struct Outcome: Sendable {
        package var items: [DriftItem]
        /// Items dropped by an `ignore` rule or left with no watched field.
        package var ignored: Int
    }

    /// Applies the rules to each item: the first rule that selects it decides. Unselected items pass unchanged.
    /// No rule quiets privilege (a file holding setuid/setgid or capabilities stays, critical, unless the rule
    /// names that file and allows that privilege), and a `data` rule does not quiet a new executable (it stays,
    /// at medium at least). Then the managed declarations mark what a configuration-management tool owns.
    package func apply(to items: [DriftItem]) -> Outcome {
        var kept: [DriftItem] = []
        var ignored = 0
        for var item in items {
            guard let rule = rules.first(where: { $0.selects(item) }) else {
                kept.append(managing(item))
                continue
            }
            if rule.quiets(item), item.hostFile?.holdsPrivilege == true, !rule.allowsPrivileges(of: item) {
                item.severity = .critical
                if item.finding == nil { item.finding = .privilegeInQuietedPath }
                kept.append(item)
                continue
            }
            // Nor a root account, nor a change to a group that grants privilege.
            if rule.quiets(item), item.finding == .rootAccount || Self.isPrivilegedGroup(item) {
                kept.append(item)
                continue
            }
            if rule.quiets(item), rule.data, item.isNewExecutable {
                item.severity = max(item.severity, .medium)
                if item.finding == nil { item.finding = .executableInDataPath }
                kept.append(managing(item))
                continue
            }
            if rule.ignore {
                ignored += 1
                continue
            }
            if let watch = rule.watch, item.change == .modified {
                item.fields = item.fields.filter { watch.contains($0.name) }
                if item.fields.isEmpty {
                    ignored += 1
                    continue
                }
            }
            if let severity = rule.severity { item.severity = severity }
            kept.append(managing(item))
        }
        return Outcome(items: kept, ignored: ignored)
    }

    /// `item` marked as owned by the tool a managed declaration names, at info level; an item that looks like
    /// tampering, or holds privilege, is never marked.
    func managing(_ item: DriftItem) -> DriftItem {
        let quietFinding: Bool
        switch item.finding {
        case nil, .conffileEdited?: quietFinding = true
        default: quietFinding = false
        }
        guard let tool = managed.first(where: { $0.owns(item) })?.tool, quietFinding, !item.looksLikeTampering,
            item.severity < .critical, item.hostFile?.holdsPrivilege != true, !Self.isPrivilegedGroup(item)
        else { return item }
        var marked = item
        marked.managedBy = tool
        marked.severity = .info
        return marked
    }

    /// A group that grants root-equivalent powers, added or changed.
    static func isPrivilegedGroup(_ item: DriftItem) -> Bool {
        item.kind == .group && item.change != .removed && SeverityRules.privilegedGroups.contains(item.nameText)
    }

    /// Appends `other`'s rules after this policy's and takes the other settings from `other` where this one has
    /// none; used to put the defaults after a policy file.
    package mutating func appendDefaults(_ other: Policy) {
        rules += other.rules
        allowedPorts += other.allowedPorts.filter { !allowedPorts.contains($0) }
        allowedModules += other.allowedModules.filter { !allowedModules.contains($0) }
        managed += other.managed
        if content == nil { content = other.content }
        sources += other.sources
    }
}
