/// An entry that is not a filesystem object: a package, a service, an account, a cron job, a port, a module.
/// `kind` and `name` identify it; `fields` are its attributes, compared one by one.
package struct RecordEntry: Equatable, Sendable {
    package var kind: EntryKind
    package var name: String
    package var fields: [RecordField]

    package init(kind: EntryKind, name: String, fields: [RecordField]) {
        self.kind = kind
        self.name = name
        self.fields = fields
    }

    /// Keys that record evidence about an entry rather than its state (when dpkg last worked on a package, the
    /// accounts its scripts make): never compared, and no part of a change's identity across a fleet.
    package static let evidenceKeys: Set<String> = [
        "accounts", "script_paths", "activity_start", "activity_end", "apt_time", "apt_command", "apt_requested_by",
        "dnf_time", "dnf_command", "dnf_requested_by",
    ]

    package subscript(key: String) -> RecordValue? {
        fields.first { $0.key == key }?.value
    }

    package func text(_ key: String) -> String? {
        if case .text(let text)? = self[key] { return text }
        return nil
    }

    package func number(_ key: String) -> Int64? {
        if case .number(let number)? = self[key] { return number }
        return nil
    }

    package func flag(_ key: String) -> Bool? {
        if case .flag(let flag)? = self[key] { return flag }
        return nil
    }
}
