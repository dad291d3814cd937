internal import CZlib
import Glibc

/// A gzip stream (one or more concatenated members, as pigz and `cat a.gz b.gz` make) decoded with zlib.
final class GzipStream: ByteStream {
    private let source: any ByteStream
    private let path: String
    private var stream = z_stream()
    private let input = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
    private var finished = false
    private var memberEnded = false

    init(_ source: any ByteStream, path: String) throws(DriftCheckError) {
        self.source = source
        self.path = path
        guard driftcheck_inflate_init_gzip(&stream) == Z_OK else {
            input.deallocate()
            throw DriftCheckError(.io, path: path, "cannot start gzip decoding")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    /// True when `bytes` start with the gzip magic.
    static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(DriftCheckError) -> Int {
        guard !finished else { return 0 }
        stream.next_out = buffer.assumingMemoryBound(to: UInt8.self)
        stream.avail_out = UInt32(min(count, Int(UInt32.max)))
        while stream.avail_out == UInt32(min(count, Int(UInt32.max))) {
            if stream.avail_in == 0 {
                let read = try source.read(into: input, count: 1 << 16)
                if read == 0 {
                    // The end of the input: clean only right after a member's end.
                    guard memberEnded else {
                        throw DriftCheckError(.malformed, path: path, "gzip stream truncated (no end of member)")
                    }
                    finished = true
                    return 0
                }
                stream.next_in = input
                stream.avail_in = UInt32(read)
            }
            memberEnded = false
            let status = inflate(&stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                memberEnded = true
                // Another member may follow.
                guard inflateReset(&stream) == Z_OK else {
                    throw DriftCheckError(.malformed, path: path, "gzip stream cannot continue after a member")
                }
            } else if status != Z_OK && status != Z_BUF_ERROR {
                throw DriftCheckError(.malformed, path: path, "not valid gzip data (zlib status \(status))")
            }
        }
        return count - Int(stream.avail_out)
    }
}

extension GzipStream {
    /// `bytes` as one gzip member (level 6, zlib's default, no name or time in the header: the same bytes always give the same
    /// output with one zlib), or nil when zlib fails. For the small files whose content a manifest keeps.
    static func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard driftcheck_deflate_init_gzip(&stream, 6) == Z_OK else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        var input = bytes
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { return nil }
        output.removeLast(Int(stream.avail_out))
        return output
    }
}
