/// What an entry of a manifest, or an item of a report, describes: a filesystem object or one kind of record.
/// The manifest spells it as the word in `"kind"`; a kind this version does not know (a newer collector's) is kept
/// by that word and compared like any record.
package enum EntryKind: Hashable, Sendable, CustomStringConvertible {
    case file
    case package
    case service
    case user
    case group
    case cron
    case port
    case module
    /// A host built from another image than its baseline's (report items only, never in a manifest).
    case image
    /// A record kind this version does not know: a lower-case word.
    case other(String)

    /// The kinds this version knows, in the order a report lists them.
    package static let reportOrder: [EntryKind] = [
        .image, .package, .service, .user, .group, .cron, .port, .module, .file,
    ]

    /// The kind named `word` (`other` for a word this version does not know).
    package init(_ word: String) {
        switch word {
        case "file": self = .file
        case "package": self = .package
        case "service": self = .service
        case "user": self = .user
        case "group": self = .group
        case "cron": self = .cron
        case "port": self = .port
        case "module": self = .module
        case "image": self = .image
        default: self = .other(word)
        }
    }

    /// The word a manifest and a report use for this kind.
    package var name: String {
        switch self {
        case .file: "file"
        case .package: "package"
        case .service: "service"
        case .user: "user"
        case .group: "group"
        case .cron: "cron"
        case .port: "port"
        case .module: "module"
        case .image: "image"
        case .other(let word): word
        }
    }

    package var description: String { name }

    /// Where the report lists this kind: known kinds in ``reportOrder``, other kinds after them.
    package var reportRank: Int { Self.reportOrder.firstIndex(of: self) ?? Self.reportOrder.count }

    /// Ports and modules: what only a live host has, checked against an allowlist rather than the image.
    package var isLiveOnly: Bool { self == .port || self == .module }
}

extension EntryKind: ExpressibleByStringLiteral {
    /// The kind a literal word names (`"package"`), as ``init(_:)`` reads it.
    package init(stringLiteral word: String) { self.init(word) }
}
