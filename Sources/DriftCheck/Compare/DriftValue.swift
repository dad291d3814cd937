/// One value an item reports for the baseline or host side.
package enum DriftValue: Equatable, Sendable {
    case file(FileEntry)
    case record(RecordEntry)
    /// An image id, for the item that says the host was built from another image.
    case text(String)
}
