/// Which manifest one side of a comparison came from.
package struct ManifestSource: Sendable {
    package var path: String
    package var header: ManifestHeader
    /// Id of the trusted key whose signature verified.
    package var keyID: String
    /// SHA-256 of the manifest's bytes (what the signature covers).
    package var digest: [UInt8]
    package var entries: Int

    /// The facts of a verified manifest that has been read.
    init(_ reader: ManifestReader) {
        path = reader.path
        header = reader.header
        keyID = reader.keyID
        digest = reader.digest
        entries = reader.trailer?.entries ?? 0
    }
}
