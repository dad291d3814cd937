import Glibc

/// Detached signatures of manifests and reports: `FILE.sig` holds the raw 64-byte Ed25519 signature over FILE's exact
/// bytes, so that `openssl pkeyutl -verify -pubin -inkey KEY.pub -rawin -in FILE -sigfile FILE.sig` checks it.
package enum DetachedSignature {
    /// The path of the detached signature of `path`.
    package static func signaturePath(for path: String) -> String { path + ".sig" }

    /// A manifest whose signature verified against a trusted key.
    package struct Verified: Sendable {
        /// The manifest path.
        package let path: String
        /// The id of the trusted key that made the signature.
        package let keyID: String
        /// SHA-256 of the bytes that were verified; the reader checks that it read exactly these bytes.
        package let digest: [UInt8]
    }

    /// Verifies `path` against its `.sig` with any of `trustedKeys`. Throws a trust error when the signature is
    /// missing, malformed, or matches no trusted key.
    static func verify(_ path: String, trustedKeys: [Ed25519Key]) throws(DriftCheckError) -> Verified {
        let manifest = try MappedFile(path: path)
        let signature = try readSignature(of: path, missing: "signature missing: the manifest is not trusted")
        let (signer, digest) = manifest.withTrimmedResidency { bytes -> (Ed25519Key?, [UInt8]) in
            guard let signer = trustedKeys.first(where: { $0.verify(signature, of: bytes) }) else { return (nil, []) }
            return (signer, SHA256Hasher.digest(bytes))
        }
        guard let signer else {
            throw DriftCheckError(
                .trust, path: path,
                "signature does not verify with any trusted key: the manifest was altered or signed by another key")
        }
        // The signature and the digest are two passes over the mapping: both saw the same bytes only if the file was
        // not written meanwhile.
        guard manifest.isUnchanged() else {
            throw DriftCheckError(.trust, path: path, "changed while its signature was being verified")
        }
        return Verified(path: path, keyID: signer.keyID, digest: digest)
    }

    /// Verifies `bytes`, read from `path`, against the signature in `path.sig`: for a file small enough to read whole
    /// (a report), so that what is verified is exactly what is then parsed. Returns the id of the key that signed.
    static func verify(_ bytes: [UInt8], of path: String, trustedKeys: [Ed25519Key]) throws(DriftCheckError)
        -> String
    {
        try verify(
            bytes, signature: try readSignature(of: path, missing: "unsigned"), of: path, trustedKeys: trustedKeys)
    }

    /// Verifies `bytes` against `signature` (a report pushed to the collector, or kept in its store), labelled `path`
    /// in errors. Returns the id of the key that signed.
    package static func verify(_ bytes: [UInt8], signature: [UInt8], of path: String, trustedKeys: [Ed25519Key])
        throws(DriftCheckError) -> String
    {
        guard signature.count == 64 else {
            throw DriftCheckError(
                .trust, path: path, "not an Ed25519 signature (\(signature.count) bytes, expected 64)")
        }
        guard let signer = bytes.withUnsafeBytes({ raw in trustedKeys.first { $0.verify(signature, of: raw) } }) else {
            throw DriftCheckError(.trust, path: path, "altered, or signed by a key that is not trusted")
        }
        return signer.keyID
    }

    /// The 64 bytes of `path.sig`: a regular file (never through a link, never a FIFO or device) of exactly that
    /// size, read with read(2), so that a huge or shrinking file can neither exhaust memory nor fault a mapping.
    private static func readSignature(of path: String, missing: String) throws(DriftCheckError) -> [UInt8] {
        let signaturePath = signaturePath(for: path)
        let size: Int64
        switch SystemCalls.readRegularFile(signaturePath, limit: 64) {
        case .success(let bytes) where bytes.count == 64: return bytes
        case .success(let bytes): size = Int64(bytes.count)
        case .failure(.tooLarge(let found)): size = found
        case .failure(.cannotOpen(let error)) where error == .noEntry:
            throw DriftCheckError(.trust, path: signaturePath, missing)
        case .failure(.cannotOpen(let error)), .failure(.cannotRead(let error)):
            throw DriftCheckError(.trust, path: signaturePath, "signature unreadable: \(error)")
        case .failure(.notRegularFile):
            throw DriftCheckError(.trust, path: signaturePath, "signature unreadable: not a regular file")
        }
        throw DriftCheckError(.trust, path: signaturePath, "not an Ed25519 signature (\(size) bytes, expected 64)")
    }

    /// Writes `bytes` to `path` and their signature to `path.sig`, each atomically: the signature first, so that a
    /// file in place always has its signature.
    static func writeSigned(_ bytes: [UInt8], to path: String, with key: Ed25519Key, mode: mode_t)
        throws(DriftCheckError)
    {
        let file = try AtomicFile(path: path, mode: mode)
        try file.write(bytes)
        try sign(descriptor: try file.flushedDescriptor(), of: path, with: key, mode: mode)
        try file.commit()
    }

    /// ``writeSigned(_:to:with:mode:)`` with the private key at `keyPath` (refused when others can read it).
    package static func writeSigned(_ bytes: [UInt8], to path: String, keyPath: String, mode: mode_t)
        throws(DriftCheckError)
    {
        try writeSigned(bytes, to: path, with: try KeyFiles.loadPrivateKey(keyPath), mode: mode)
    }

    /// Signs the bytes of the open file `descriptor` and writes the signature atomically to `signaturePath`.
    static func sign(descriptor: FileDescriptor, of path: String, with key: Ed25519Key, mode: mode_t)
        throws(DriftCheckError)
    {
        let manifest = try MappedFile(descriptor: descriptor, path: path)
        let signature: [UInt8]
        do {
            signature = try manifest.withTrimmedResidency { bytes throws(OpenSSLFailure) in try key.sign(bytes) }
        } catch {
            throw DriftCheckError(.io, path: path, "cannot sign: \(error)")
        }
        try AtomicFile.write(signature, to: signaturePath(for: path), mode: mode)
    }
}
