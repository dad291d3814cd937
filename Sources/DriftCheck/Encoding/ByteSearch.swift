import Glibc

extension UnsafeRawBufferPointer {
    /// The offset of the first occurrence of `needle` in these bytes: `memchr` for its first byte, `memcmp` for the
    /// rest. (The generic `firstRange(of:)` resolves to Foundation's DataProtocol search here, which costs far more
    /// per byte.) An empty needle is found at 0.
    package func firstOffset(of needle: [UInt8]) -> Int? {
        guard let first = needle.first else { return 0 }
        guard let base = baseAddress, needle.count <= count else { return nil }
        let last = count - needle.count  // the last offset a match can start at
        var offset = 0
        while offset <= last {
            guard let found = memchr(base + offset, Int32(first), last - offset + 1) else { return nil }
            let start = UnsafeRawPointer(found) - base
            if memcmp(base + start, needle, needle.count) == 0 { return start }
            offset = start + 1
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// True when `needle` occurs in these bytes (``UnsafeRawBufferPointer/firstOffset(of:)``).
    func contains(bytes needle: [UInt8]) -> Bool {
        withUnsafeBytes { $0.firstOffset(of: needle) != nil }
    }
}
