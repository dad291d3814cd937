/// Which manifest one side of a comparison came from.
package struct ManifestSource: Sendable {
    package var path: String
    package var header: ManifestHeader
    /// Id of the trusted key whose signature verified.
    package var keyID: String
    package var entries: Int

    /// The facts of a verified manifest that has been read.
    init(_ reader: ManifestReader) {
        path = reader.path
        header = reader.header
        keyID = reader.keyID
        entries = reader.trailer?.entries ?? 0
    }
}
