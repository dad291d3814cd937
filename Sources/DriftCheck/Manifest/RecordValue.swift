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
