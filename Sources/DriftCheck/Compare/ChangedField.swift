/// One attribute that differs between the two sides of a modified item: a file attribute, or a record's key
/// ("version", "enabled", "members" …) as its collector names it.
package enum ChangedField: Hashable, Sendable, CustomStringConvertible {
    case file(DriftField)
    case record(String)

    /// The name reports use.
    package var name: String {
        switch self {
        case .file(let field): field.rawValue
        case .record(let key): key
        }
    }

    package var description: String { name }
}

extension Array where Element == ChangedField {
    /// True when a file attribute in `fields` is among these.
    func contains(anyOf fields: Set<DriftField>) -> Bool {
        contains { changed in
            if case .file(let field) = changed { return fields.contains(field) }
            return false
        }
    }

    /// True when a record key in `keys` is among these.
    func contains(anyKeyOf keys: Set<String>) -> Bool {
        contains { changed in
            if case .record(let key) = changed { return keys.contains(key) }
            return false
        }
    }

    /// The names, as reports list them.
    var names: [String] { map(\.name) }
}
