/// What counts as drift and what to do about it: rules (first match wins), the live-only allowlist, and the rebuild
/// rules. Built from the built-in default policy, a policy file, or both (the file's rules first).
package struct Policy: Sendable {
    package var rules: [PolicyRule] = []
    package var allowedPorts: [String] = []
    package var allowedModules: [String] = []
    /// When to recommend a rebuild (`rebuild:`).
    package var rebuild = RebuildRules()
    /// `check` rehashes every file (no reuse of the previous manifest) after this many incremental runs…
    package var fullRehashEveryRuns = 24
    /// …or when the last full scan is this many days old.
    package var fullRehashEveryDays = 7
    /// Where the policy came from, for `policy show`.
    package var sources: [String] = []

    package init() {}

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
    package func apply(to items: [DriftItem]) -> Outcome {
        var kept: [DriftItem] = []
        var ignored = 0
        for var item in items {
            guard let rule = rules.first(where: { $0.selects(item) }) else {
                kept.append(item)
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
            kept.append(item)
        }
        return Outcome(items: kept, ignored: ignored)
    }

    /// Appends `other`'s rules after this policy's and takes the other settings from `other` where this one has
    /// none; used to put the defaults after a policy file.
    package mutating func appendDefaults(_ other: Policy) {
        rules += other.rules
        allowedPorts += other.allowedPorts.filter { !allowedPorts.contains($0) }
        allowedModules += other.allowedModules.filter { !allowedModules.contains($0) }
        sources += other.sources
    }
}
