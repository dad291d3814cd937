import Glibc

extension Array where Element == UInt8 {
    /// True when `needle` occurs in these bytes: `memchr` for its first byte, `memcmp` for the rest. (The generic
    /// `firstRange(of:)` resolves to Foundation's DataProtocol search here, which costs far more per byte.)
    func contains(bytes needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= count else { return false }
        return withUnsafeBytes { haystack in
            needle.withUnsafeBytes { wanted in
                let base = haystack.baseAddress!
                let last = haystack.count - wanted.count  // the last offset a match can start at
                var offset = 0
                while offset <= last {
                    guard let found = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
                    let start = UnsafeRawPointer(found) - base
                    if memcmp(base + start, wanted.baseAddress!, wanted.count) == 0 { return true }
                    offset = start + 1
                }
                return false
            }
        }
    }
}
