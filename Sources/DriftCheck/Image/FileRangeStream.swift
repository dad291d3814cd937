internal import CZlib
import Glibc

/// `length` bytes of an open file from `offset` (pread: the descriptor's own offset is not used).
final class FileRangeStream: PeekableStream {
    private let descriptor: FileDescriptor
    private var offset: Int64
    private var remaining: Int64
    private let path: String
    /// The range's length.
    let length: Int64
    /// The range keeps its file open while it is in use (it holds the descriptor).
    init(descriptor: FileDescriptor, offset: Int64, length: Int64, path: String) {
        self.descriptor = descriptor
        self.offset = offset
        self.remaining = length
        self.length = length
        self.path = path
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
