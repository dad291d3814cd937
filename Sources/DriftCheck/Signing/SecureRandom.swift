internal import COpenSSL

/// Random bytes from OpenSSL's generator (seeded by the kernel), for secrets such as the collector's enrollment
/// tokens.
package enum SecureRandom {
    /// `count` random bytes; nil when the generator failed.
    package static func bytes(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { return nil }
        return bytes
    }
}
