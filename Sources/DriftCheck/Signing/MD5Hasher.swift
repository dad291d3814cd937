internal import COpenSSL

/// MD5 through OpenSSL, only to check files against dpkg's `*.md5sums` (`--verify-packages`); never used for
/// anything driftcheck itself trusts.
final class MD5Hasher: SHA256Hasher {
    init() {
        super.init(algorithm: "MD5")
    }
}
