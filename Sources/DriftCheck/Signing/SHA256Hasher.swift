internal import COpenSSL

/// Incremental SHA-256 (or another EVP digest) through OpenSSL's EVP interface, which uses the CPU's SHA extensions
/// where present.
/// One hasher is reused for many files by one thread; it is not shared between threads.
package class SHA256Hasher {
    private let context: OpaquePointer
    private let algorithm: OpaquePointer

    convenience init() {
        self.init(algorithm: "SHA256")
    }

    init(algorithm name: String) {
        // Fetching once avoids a lookup per file; both calls only fail when OpenSSL cannot allocate.
        guard let algorithm = EVP_MD_fetch(nil, name, nil), let context = EVP_MD_CTX_new() else {
            fatalError("OpenSSL could not allocate a \(name) context")
        }
        self.algorithm = algorithm
        self.context = context
        reset()
    }

    deinit {
        EVP_MD_CTX_free(context)
        EVP_MD_free(algorithm)
    }

    /// Starts a new digest.
    func reset() {
        EVP_DigestInit_ex2(context, algorithm, nil)
    }

    func update(_ bytes: UnsafeRawPointer, count: Int) {
        EVP_DigestUpdate(context, bytes, count)
    }

    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { update(base, count: raw.count) }
        }
    }

    /// The digest of everything since the last reset (32 bytes for SHA-256); the hasher is reset afterwards.
    func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        digest.withUnsafeMutableBufferPointer { buffer in
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        reset()
        return Array(digest[0..<Int(length)])
    }

    /// The SHA-256 of `bytes` in one call.
    package static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let hasher = SHA256Hasher()
        if let base = bytes.baseAddress { hasher.update(base, count: bytes.count) }
        return hasher.finish()
    }
}
