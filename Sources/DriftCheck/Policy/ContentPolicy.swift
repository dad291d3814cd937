/// Which files' content a manifest keeps (policy `content:`), so that a report can show what changed inside a
/// configuration file and a bake directory can carry it: text files under `paths`, of at most `maximumSize` bytes.
///
/// Secrets never qualify, whatever the policy says: the shadow files, private keys by name (`*.key`, `*_key`,
/// `id_rsa` …, anything under `/etc/ssl/private`), any file holding a private-key block, a file that is not
/// world-readable, and the paths the policy lists under `never`.
package struct ContentPolicy: Equatable, Sendable {
    package var paths: [PathGlob] = [PathGlob("/etc/**")]
    package var maximumSize = 65_536
    /// More paths whose content is never kept.
    package var never: [PathGlob] = []

    package init() {}

    /// The hard limit on `maximumSize`: what a policy may ask for.
    package static let sizeLimit = 1 << 20

    /// Paths whose content is a secret on every Linux system.
    static let secretPaths: [PathGlob] = [
        "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd", "/etc/ssl/private/**",
        "/**/*.key", "/**/*_key", "/**/*.pem-key", "/**/id_rsa", "/**/id_dsa", "/**/id_ecdsa", "/**/id_ed25519",
        "/**/id_ecdsa_sk", "/**/id_ed25519_sk", "/**/*.p12", "/**/*.pfx", "/**/*.jks", "/**/*.keystore",
        "/etc/krb5.keytab", "/**/*.keytab",
    ].map { PathGlob($0) }

    /// Byte strings that mark a private key (PEM blocks of every kind, OpenSSH, PGP, PuTTY, OpenVPN static keys).
    static let secretMarkers: [[UInt8]] = [
        "PRIVATE KEY", "PuTTY-User-Key-File", "OpenVPN Static key",
    ].map { Array($0.utf8) }

    /// True when the content of the file `entry` describes may be kept, judging by what the scan recorded: a
    /// regular file with a plain SHA-256, small enough, world-readable, under `paths`, and not a secret by name.
    func wants(_ entry: FileEntry) -> Bool {
        guard entry.type == .file, entry.sha256 != nil, !entry.blockDigest, entry.error == nil,
            entry.size <= Int64(maximumSize), entry.permissions & 0o004 != 0,
            paths.contains(where: { $0.matches(entry.path) })
        else { return false }
        return !isSecret(path: entry.path)
    }

    /// True when `path` is a secret by name, built in or listed under `never`.
    func isSecret(path: [UInt8]) -> Bool {
        Self.secretPaths.contains { $0.matches(path) } || never.contains { $0.matches(path) }
    }

    /// True when `content` may be kept: text (UTF-8 without NUL bytes) that holds no private-key marker.
    static func accepts(_ content: [UInt8]) -> Bool {
        guard !content.contains(0), TerminalText.isValidUTF8(content) else { return false }
        return !secretMarkers.contains { marker in content.contains(bytes: marker) }
    }
}

extension PathGlob: ExpressibleByStringLiteral {
    package init(stringLiteral pattern: String) { self.init(pattern) }
}
