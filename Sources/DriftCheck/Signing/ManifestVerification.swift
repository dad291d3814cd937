/// The work behind `driftcheck verify`.
package enum ManifestVerification {
    /// Verifies one manifest completely: signature, then every line and the end line. Returns the reader's facts.
    package static func verify(_ path: String, trustedKeyPaths: [String]) throws(DriftCheckError) -> ManifestSource {
        let keys = try TrustRoots.load(trustedKeyPaths, for: "manifests", options: "--pubkey")
        let reader = try ManifestReader.open(path, trustedKeys: keys)
        while try reader.next() != nil {}
        return ManifestSource(reader)
    }
}
