internal import CZlib

#if canImport(Glibc)
    import Glibc
#endif

/// A source of bytes read front to back: a file, a range of one, or a decompressed stream.
protocol ByteStream: AnyObject {
    /// Reads up to `count` bytes into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(DriftCheckError) -> Int
}

/// A stream whose next bytes can be looked at without consuming them (to tell gzip from a plain tar).
protocol PeekableStream: ByteStream {
    /// The first `bytes.count` bytes of what is left, without consuming them; returns how many there were.
    func peek(_ bytes: inout [UInt8]) throws(DriftCheckError) -> Int
}

/// `length` bytes of an open file from `offset` (pread: the descriptor's own offset is not used).
final class FileRangeStream: PeekableStream {
    private let descriptor: Int32
    private var offset: Int64
    private var remaining: Int64
    private let path: String
    /// The range's length.
    let length: Int64
    /// Keeps the file open while the range is in use.
    private let owner: AnyObject?

    init(descriptor: Int32, offset: Int64, length: Int64, path: String, owner: AnyObject? = nil) {
        self.descriptor = descriptor
        self.offset = offset
        self.remaining = length
        self.length = length
        self.path = path
        self.owner = owner
    }

    func peek(_ bytes: inout [UInt8]) throws(DriftCheckError) -> Int {
        let wanted = Int(min(Int64(bytes.count), remaining))
        let descriptor = self.descriptor
        let offset = self.offset
        let result = bytes.withUnsafeMutableBytes { raw in
            SystemCalls.read(descriptor, into: raw.baseAddress!, count: wanted, at: offset)
        }
        switch result {
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot read: \(error)")
        case .success(let read): return read
        }
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(DriftCheckError) -> Int {
        guard remaining > 0 else { return 0 }
        switch SystemCalls.read(descriptor, into: buffer, count: Int(min(Int64(count), remaining)), at: offset) {
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot read: \(error)")
        case .success(let read):
            offset += Int64(read)
            remaining -= Int64(read)
            if read == 0 { remaining = 0 }
            return read
        }
    }
}

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
