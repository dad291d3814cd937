/// Bytes already in memory as a ``ByteStream``: a file a collector read whole, to decompress.
final class MemoryStream: ByteStream {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(DriftCheckError) -> Int {
        let length = min(count, bytes.count - offset)
        guard length > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: source.baseAddress! + offset, byteCount: length)
        }
        offset += length
        return length
    }

    /// The gzip-compressed `bytes` decompressed, at most `limit` bytes of them; nil when they are not gzip or
    /// are damaged.
    static func gunzip(_ bytes: [UInt8], limit: Int, path: String) -> [UInt8]? {
        guard GzipStream.isGzip(bytes), let stream = try? GzipStream(MemoryStream(bytes), path: path) else {
            return nil
        }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while output.count < limit {
            let read: Int
            do {
                read = try chunk.withUnsafeMutableBytes { buffer throws(DriftCheckError) in
                    try stream.read(into: buffer.baseAddress!, count: buffer.count)
                }
            } catch {
                return nil
            }
            if read == 0 { break }
            output += chunk[..<min(read, limit - output.count)]
        }
        return output
    }
}
