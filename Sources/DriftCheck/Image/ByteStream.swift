internal import CZlib
import Glibc

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
