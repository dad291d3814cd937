/// One named field of a record, in the order the collector writes it.
package struct RecordField: Equatable, Sendable {
    package var key: String
    package var value: RecordValue

    package init(_ key: String, _ value: RecordValue) {
        self.key = key
        self.value = value
    }
}
