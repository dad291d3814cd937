import Glibc

/// Loads and writes the PEM key files, with the same care for private keys that ssh takes.
package enum KeyFiles {
    private static func readSmallFile(_ path: String, what: String) throws(DriftCheckError) -> (
        bytes: [UInt8], status: FileStatus
    ) {
        let descriptor: FileDescriptor
        switch SystemCalls.open(path, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot open \(what): \(error)")
        }
        guard case .success(let status) = SystemCalls.status(of: descriptor), status.type == .file else {
            throw DriftCheckError(.malformed, path: path, "\(what) is not a regular file")
        }
        guard status.size <= 64 * 1024 else { throw DriftCheckError(.malformed, path: path, "\(what) is too large") }
        var bytes = [UInt8](repeating: 0, count: Int(status.size) + 1)
        // Key material is not left behind in freed memory (the caller's copy is wiped by the caller).
        defer { wipe(&bytes) }
        var total = 0
        while total < bytes.count {
            let result = bytes.withUnsafeMutableBytes { raw in
                SystemCalls.read(descriptor, into: raw.baseAddress! + total, count: raw.count - total)
            }
            switch result {
            case .success(0): return (Array(bytes[0..<total]), status)
            case .success(let count): total += count
            case .failure(let error): throw DriftCheckError(.io, path: path, "cannot read \(what): \(error)")
            }
        }
        throw DriftCheckError(.malformed, path: path, "\(what) changed while being read")
    }

    /// The bytes of a file only its owner may read (a private key, a token), as ssh requires of a key: refused when
    /// group or others can access it, or when neither this user nor root owns it. The caller wipes the bytes.
    private static func readPrivateFile(_ path: String, what: String) throws(DriftCheckError) -> [UInt8] {
        var (bytes, status) = try readSmallFile(path, what: what)
        if status.uid != geteuid() && status.uid != 0 {
            wipe(&bytes)
            throw DriftCheckError(
                .usage, path: path, "\(what) is owned by uid \(status.uid), neither this user nor root")
        }
        if status.permissions & 0o077 != 0 {
            wipe(&bytes)
            let mode = String(status.permissions, radix: 8)
            throw DriftCheckError(
                .usage, path: path, "\(what) is accessible by group or others (mode 0\(mode)); run: chmod 600 on it")
        }
        return bytes
    }

    /// Overwrites `bytes` with zeros.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
    }

    /// Loads the signing key. A key that group or others can access, or that another user owns, is refused, as
    /// ssh refuses it. From here on the process never dumps core, and the PEM bytes are wiped once parsed.
    package static func loadPrivateKey(_ path: String) throws(DriftCheckError) -> Ed25519Key {
        SystemCalls.disableCoreDumps()
        var pem = try readPrivateFile(path, what: "private key")
        defer { wipe(&pem) }
        do {
            return try Ed25519Key.privateKey(pem: pem)
        } catch {
            throw DriftCheckError(.malformed, path: path, "not an Ed25519 private key in PEM form: \(error)")
        }
    }

    /// Reads a one-line secret (the collector's enrollment token) with the same care as a private key: refused when
    /// group or others can access it, or another user owns it. Surrounding white space is dropped.
    package static func loadSecret(_ path: String, what: String) throws(DriftCheckError) -> String {
        var bytes = try readPrivateFile(path, what: what)
        defer { wipe(&bytes) }
        let text = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isWhitespace)
        guard text.count == 1, let secret = text.first, secret.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw DriftCheckError(.malformed, path: path, "\(what) must be one word of printable ASCII")
        }
        return String(secret)
    }

    /// Checks that `path` holds a usable, well-protected private key, before anything is written.
    package static func checkPrivateKey(_ path: String) throws(DriftCheckError) {
        _ = try loadPrivateKey(path)
    }

    /// Loads a trusted public key (PEM SubjectPublicKeyInfo).
    static func loadPublicKey(_ path: String) throws(DriftCheckError) -> Ed25519Key {
        let (pem, _) = try readSmallFile(path, what: "public key")
        do {
            return try Ed25519Key.publicKey(pem: pem)
        } catch {
            throw DriftCheckError(.malformed, path: path, "not an Ed25519 public key in PEM form: \(error)")
        }
    }

    /// Writes a new key pair to `PREFIX.key` (mode 0600) and `PREFIX.pub`; refuses to replace existing files.
    /// Returns the key id.
    package static func generate(prefix: String) throws(DriftCheckError) -> String {
        let privatePath = prefix + ".key"
        let publicPath = prefix + ".pub"
        for path in [privatePath, publicPath] where SystemCalls.exists(path) {
            throw DriftCheckError(.usage, path: path, "already exists; refusing to overwrite a key")
        }
        SystemCalls.disableCoreDumps()
        let key: Ed25519Key
        var privatePEM: [UInt8]
        let publicPEM: [UInt8]
        do {
            key = try Ed25519Key.generate()
            privatePEM = try key.privateKeyPEM()
            publicPEM = try key.publicKeyPEM()
        } catch {
            throw DriftCheckError(.io, path: privatePath, "\(error)")
        }
        defer { wipe(&privatePEM) }
        try AtomicFile.write(privatePEM, to: privatePath, mode: 0o600)
        try AtomicFile.write(publicPEM, to: publicPath, mode: 0o644)
        return key.keyID
    }
}
