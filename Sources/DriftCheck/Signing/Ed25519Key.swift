internal import COpenSSL

/// An Ed25519 key held by OpenSSL: a private key (which can also verify) or a public key.
/// PEM in and out: PKCS#8 for private keys, SubjectPublicKeyInfo for public keys, as `openssl genpkey` writes them.
package final class Ed25519Key: @unchecked Sendable {
    // OpenSSL's EVP_PKEY is immutable after creation and safe to use from several threads.
    private let key: OpaquePointer
    /// True when this key can sign.
    let isPrivate: Bool

    private init(key: OpaquePointer, isPrivate: Bool) throws(OpenSSLFailure) {
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw OpenSSLFailure("not an Ed25519 key")
        }
        self.key = key
        self.isPrivate = isPrivate
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Makes a new random key pair.
    static func generate() throws(OpenSSLFailure) -> Ed25519Key {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw OpenSSLFailure("cannot create a key generation context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_keygen(context, &key) == 1, let key else {
            throw OpenSSLFailure("key generation failed")
        }
        return try Ed25519Key(key: key, isPrivate: true)
    }

    private static func withMemoryBIO<R>(_ pem: [UInt8], _ body: (OpaquePointer) -> R) -> R? {
        pem.withUnsafeBytes { raw -> R? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    /// Reads a PEM private key (PKCS#8, possibly the traditional form OpenSSL also accepts).
    static func privateKey(pem: [UInt8]) throws(OpenSSLFailure) -> Ed25519Key {
        ERR_clear_error()
        guard let key = withMemoryBIO(pem, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }) ?? nil else {
            throw OpenSSLFailure("not a PEM private key")
        }
        return try Ed25519Key(key: key, isPrivate: true)
    }

    /// Reads a PEM public key (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY").
    package static func publicKey(pem: [UInt8]) throws(OpenSSLFailure) -> Ed25519Key {
        ERR_clear_error()
        guard let key = withMemoryBIO(pem, { PEM_read_bio_PUBKEY($0, nil, nil, nil) }) ?? nil else {
            throw OpenSSLFailure("not a PEM public key")
        }
        return try Ed25519Key(key: key, isPrivate: false)
    }

    private func pem(_ write: (OpaquePointer) -> Int32) throws(OpenSSLFailure) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLFailure("cannot allocate a buffer") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw OpenSSLFailure("cannot encode the key") }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = driftcheck_BIO_get_mem_data(bio, &data)
        guard let data, length > 0 else { throw OpenSSLFailure("cannot encode the key") }
        return Array(UnsafeRawBufferPointer(start: data, count: length))
    }

    /// The private key as PEM PKCS#8, unencrypted.
    func privateKeyPEM() throws(OpenSSLFailure) -> [UInt8] {
        try pem { PEM_write_bio_PKCS8PrivateKey($0, key, nil, nil, 0, nil, nil) }
    }

    /// The public key as PEM SubjectPublicKeyInfo.
    package func publicKeyPEM() throws(OpenSSLFailure) -> [UInt8] {
        try pem { PEM_write_bio_PUBKEY($0, key) }
    }

    /// The key id: lower-case hex SHA-256 of the DER SubjectPublicKeyInfo
    /// (`openssl pkey -pubout -outform DER | sha256sum`).
    package var keyID: String {
        var der: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(key, &der)
        guard length > 0, let der else { return "unknown" }
        defer { driftcheck_OPENSSL_free(der) }
        return Hex.encode(SHA256Hasher.digest(UnsafeRawBufferPointer(start: der, count: Int(length))))
    }

    /// The 64-byte Ed25519 signature of `message` (pure Ed25519: the whole message in one call).
    package func sign(_ message: UnsafeRawBufferPointer) throws(OpenSSLFailure) -> [UInt8] {
        guard isPrivate, let context = EVP_MD_CTX_new() else { throw OpenSSLFailure("not a private key") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
            throw OpenSSLFailure("cannot start signing")
        }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let base = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let empty: [UInt8] = [0]
        let status = signature.withUnsafeMutableBufferPointer { output in
            empty.withUnsafeBufferPointer { fallback in
                EVP_DigestSign(context, output.baseAddress, &length, base ?? fallback.baseAddress, message.count)
            }
        }
        guard status == 1, length == 64 else { throw OpenSSLFailure("signing failed") }
        return signature
    }

    /// True when `signature` is this key's valid Ed25519 signature of `message`.
    package func verify(_ signature: [UInt8], of message: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == 64, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        let base = message.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let empty: [UInt8] = [0]
        let status = signature.withUnsafeBufferPointer { sig in
            empty.withUnsafeBufferPointer { fallback in
                EVP_DigestVerify(context, sig.baseAddress, 64, base ?? fallback.baseAddress, message.count)
            }
        }
        ERR_clear_error()
        return status == 1
    }
}
