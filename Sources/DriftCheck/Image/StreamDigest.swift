/// The digest a scan gives a file, computed from its content as a stream (no seeking): plain SHA-256, or for a file
/// of ``FileHasher/blockDigestSize`` or more the block digest (``FileEntry/blockDigest``), so that an image read
/// from a tar gets exactly the digests a scan of the unpacked tree gets.
final class StreamDigest {
    private let hasher = SHA256Hasher()
    private let blocks: Bool
    private var block = [UInt8]()
    private var offset: Int64 = 0
    private let size: Int64

    init(size: Int64) {
        self.size = size
        blocks = size >= FileHasher.blockDigestSize
        if blocks { block.reserveCapacity(FileHasher.block) }
    }

    var isBlockDigest: Bool { blocks }

    func update(_ chunk: UnsafeRawBufferPointer) {
        guard blocks else {
            if let base = chunk.baseAddress { hasher.update(base, count: chunk.count) }
            return
        }
        var index = 0
        while index < chunk.count {
            let take = min(FileHasher.block - block.count, chunk.count - index)
            block.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[index..<index + take]))
            index += take
            if block.count == FileHasher.block { flushBlock() }
        }
    }

    private func flushBlock() {
        block.withUnsafeBytes { FileHasher.hashBlock($0.baseAddress!, count: $0.count, at: offset, into: hasher) }
        offset += Int64(block.count)
        block.removeAll(keepingCapacity: true)
    }

    func finish() -> [UInt8] {
        if blocks {
            if !block.isEmpty { flushBlock() }
            FileHasher.finishBlocks(size: size, into: hasher)
        }
        return hasher.finish()
    }
}
