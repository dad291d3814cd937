/// One line of a manifest after the header: a filesystem object or a record.
package enum ManifestEntry: Equatable, Sendable {
    case file(FileEntry)
    case record(RecordEntry)

    package var kind: EntryKind {
        switch self {
        case .file: .file
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
        kind leftKind: EntryKind, name leftName: [UInt8], kind rightKind: EntryKind, name rightName: [UInt8]
    ) -> Int {
        if leftKind != rightKind {
            return Array(leftKind.name.utf8).lexicographicallyPrecedes(Array(rightKind.name.utf8)) ? -1 : 1
        }
        return CanonicalOrder.compare(leftName, rightName)
    }
}
