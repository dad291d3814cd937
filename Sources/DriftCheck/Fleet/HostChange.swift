/// One top-level drift item of a host's report, as the fleet view compares them across hosts: identified by its
/// kind, its name as raw bytes (a report's `name_b64` when the name is not UTF-8), its change and the fields that
/// changed.
package struct HostChange: Hashable, Sendable, CustomStringConvertible {
    package var kind: EntryKind
    package var name: [UInt8]
    /// The change as the report spells it (a report from a newer version may name one this version does not know).
    package var change: String
    package var fields: [String]

    /// "kind name change (fields)", with the name escaped for a terminal or a page.
    package var description: String {
        let text = "\(kind) \(TerminalText.escape(name)) \(change)"
        return fields.isEmpty ? text : "\(text) (\(fields.joined(separator: ", ")))"
    }
}
