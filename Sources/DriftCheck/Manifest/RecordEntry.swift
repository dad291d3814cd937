/// A value of a record field: text, an integer, a flag, or a list of texts.
package enum RecordValue: Equatable, Sendable, CustomStringConvertible {
    case text(String)
    case number(Int64)
    case flag(Bool)
    case list([String])

    package var description: String {
        switch self {
        case .text(let text): text
        case .number(let number): String(number)
        case .flag(let flag): flag ? "yes" : "no"
        case .list(let items): items.isEmpty ? "(none)" : items.joined(separator: ", ")
        }
    }
}

/// One named field of a record, in the order the collector writes it.
package struct RecordField: Equatable, Sendable {
    package var key: String
    package var value: RecordValue

    package init(_ key: String, _ value: RecordValue) {
        self.key = key
        self.value = value
    }
}

/// An entry that is not a filesystem object: a package, a service, an account, a cron job, a port, a module.
/// `kind` and `name` identify it; `fields` are its attributes, compared one by one.
package struct RecordEntry: Equatable, Sendable {
    package var kind: String
    package var name: String
    package var fields: [RecordField]

    package init(kind: String, name: String, fields: [RecordField]) {
        self.kind = kind
        self.name = name
        self.fields = fields
    }

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

/// One line of a manifest after the header: a filesystem object or a record.
package enum ManifestEntry: Equatable, Sendable {
    case file(FileEntry)
    case record(RecordEntry)

    package static let fileKind = "file"

    package var kind: String {
        switch self {
        case .file: ManifestEntry.fileKind
        case .record(let record): record.kind
        }
    }

    package var name: [UInt8] {
        switch self {
        case .file(let file): file.path
        case .record(let record): Array(record.name.utf8)
        }
    }

    /// The manifest's order: by kind (bytes), then by name component by component.
    package static func precedes(_ lhs: ManifestEntry, _ rhs: ManifestEntry) -> Bool {
        order(lhs, rhs) < 0
    }

    package static func order(_ lhs: ManifestEntry, _ rhs: ManifestEntry) -> Int {
        order(kind: lhs.kind, name: lhs.name, kind: rhs.kind, name: rhs.name)
    }

    package static func order(
        kind leftKind: String, name leftName: [UInt8], kind rightKind: String, name rightName: [UInt8]
    ) -> Int {
        if leftKind != rightKind {
            return Array(leftKind.utf8).lexicographicallyPrecedes(Array(rightKind.utf8)) ? -1 : 1
        }
        return CanonicalOrder.compare(leftName, rightName)
    }
}
