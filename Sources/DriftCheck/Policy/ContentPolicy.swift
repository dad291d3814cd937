/// Which files' content a manifest keeps (policy `content:`), so that a report can show what changed inside a
/// configuration file and a bake directory can carry it: text files under `paths`, of at most `maximumSize` bytes.
///
/// Secrets never qualify, whatever the policy says: the shadow files, private keys by name (`*.key`, `*_key`,
/// `id_rsa` …, anything under `/etc/ssl/private`, `/etc/wireguard` …), any file holding a private-key block or a
/// password assignment, a file that is not world-readable or sits in a directory that is not world-searchable
/// (``WorldReach``), and the paths the policy lists under `never`.
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
        "/etc/krb5.keytab", "/**/*.keytab", "/etc/wireguard/**", "/etc/ipsec.secrets", "/etc/ipsec.d/private/**",
        "/etc/ppp/*-secrets", "/etc/NetworkManager/system-connections/**", "/etc/pki/tls/private/**",
        "/etc/letsencrypt/**", "/**/*credentials*", "/**/.netrc", "/**/.pgpass", "/**/.my.cnf",
    ].map { PathGlob($0) }

    /// Byte strings that mark a private key, as written: PEM blocks of every kind (`PRIVATE KEY`), OpenSSH, PGP,
    /// PuTTY, OpenVPN's static and tls-crypt keys.
    static let keyMarkers: [[UInt8]] = ["PRIVATE KEY", "PuTTY-User-Key-File", "-----BEGIN OpenVPN"].map {
        Array($0.utf8)
    }

    /// Byte strings, compared without regard to ASCII case, that mark a secret assignment: WireGuard's keys, age
    /// keys, a base64 PEM block (a kubeconfig's `client-key-data`), passwords, pre-shared keys, cloud secrets.
    static let secretMarkers: [[UInt8]] = [
        "privatekey=", "privatekey =", "presharedkey=", "presharedkey =", "age-secret-key-1", "ls0tls1crudjti",
        "-key-data:", "password=", "psk=", "secret_access_key", "client_secret",
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

    /// True when `content` may be kept: text (UTF-8 without NUL bytes) that holds no secret marker.
    static func accepts(_ content: [UInt8]) -> Bool {
        guard !content.contains(0), TerminalText.isValidUTF8(content) else { return false }
        if keyMarkers.contains(where: { content.contains(bytes: $0) }) { return false }
        let folded = content.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return !secretMarkers.contains { marker in folded.contains(bytes: marker) }
    }
}

extension PathGlob: ExpressibleByStringLiteral {
    package init(stringLiteral pattern: String) { self.init(pattern) }
}
