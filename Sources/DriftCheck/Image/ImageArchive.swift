import Glibc

/// A container image given as a file: a flat filesystem tar (`docker export`, plain or gzip), an OCI image layout
/// directory, or an OCI image layout packed in a tar (`skopeo copy … oci-archive:`). Reads it into an
/// ``ImageTree`` without extracting anything; OCI blobs are checked against their digests and sizes as they are
/// read.
enum ImageArchive {
    /// Reads the image at `path`.
    static func read(_ path: String, keepContent: @escaping ([UInt8], Int64) -> Bool) throws(DriftCheckError)
        -> ImageTree
    {
        let tree = ImageTree(source: path, keepContent: keepContent)
        let status: FileStatus
        switch SystemCalls.status(atPath: path) {
        case .success(let found): status = found
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot read the image: \(error)")
        }
        if status.type == .dir {
            try readLayout(DirectoryBlobs(directory: path), into: tree, path: path)
            return tree
        }
        let file = try OpenFile(path)
        let outer = TarReader(try stream(file.range(0, file.size), path: path), path: path)
        // One pass over the outer tar: an OCI layout inside it is recognised by its `oci-layout` and `index.json`
        // members; their blobs are read again by range afterwards. Anything else is a flat filesystem tar.
        var members: [[UInt8]: (offset: Int64, size: Int64)] = [:]
        var compressed = false
        do {
            compressed = try file.isGzip()
            if !compressed {
                while let member = try outer.next() {
                    if member.kind == .file {
                        members[try tree.normalize(member.name)] = (outer.dataOffset, member.size)
                    }
                }
            }
        } catch {
            members = [:]  // not a well-formed tar of a layout: read it as a flat tar, which reports the problem
        }
        if members[Array("/oci-layout".utf8)] != nil, members[Array("/index.json".utf8)] != nil {
            try readLayout(ArchiveBlobs(file: file, members: members, path: path), into: tree, path: path)
        } else {
            try tree.apply(TarReader(try stream(file.range(0, file.size), path: path), path: path))
        }
        return tree
    }

    /// `source`, decompressed when it is gzip (by its magic, not its name).
    static func stream(_ source: any PeekableStream, path: String) throws(DriftCheckError) -> any ByteStream {
        var magic = [UInt8](repeating: 0, count: 4)
        let count = try source.peek(&magic)
        if GzipStream.isGzip(Array(magic[0..<count])) { return try GzipStream(source, path: path) }
        if count >= 4, magic == [0x28, 0xB5, 0x2F, 0xFD] {
            throw DriftCheckError(.malformed, path: path, "zstd-compressed layers are not supported; use gzip")
        }
        return source
    }

    /// Where an OCI layout's files come from.
    protocol Blobs {
        /// The bytes of a small file of the layout (`index.json`, a manifest).
        func small(_ name: String) throws(DriftCheckError) -> [UInt8]
        /// A stream over a blob.
        func blob(_ name: String) throws(DriftCheckError) -> FileRangeStream
    }

    static let maximumMetadata = 4 << 20

    /// Applies the layers of the single image an OCI layout holds (following nested indexes), base layer first.
    static func readLayout(_ blobs: any Blobs, into tree: ImageTree, path: String) throws(DriftCheckError) {
        func malformed(_ message: String) -> DriftCheckError { DriftCheckError(.malformed, path: path, message) }
        func json(_ bytes: [UInt8], _ what: String) throws(DriftCheckError) -> JSONValue {
            do { return try JSONParser.parse(bytes) } catch { throw malformed("\(what) is not JSON: \(error.message)") }
        }
        func verified(_ descriptor: JSONValue) throws(DriftCheckError) -> (name: String, size: Int64, digest: [UInt8]) {
            guard let digest = descriptor["digest"]?.stringValue, digest.hasPrefix("sha256:"),
                let hex = Hex.decode(Array(digest.dropFirst(7).utf8)), hex.count == 32,
                let size = descriptor["size"]?.integerValue, size >= 0
            else { throw malformed("a descriptor without a sha256 digest and a size") }
            return ("blobs/sha256/" + digest.dropFirst(7), size, hex)
        }
        func readBlob(_ descriptor: JSONValue) throws(DriftCheckError) -> [UInt8] {
            let (name, size, digest) = try verified(descriptor)
            guard size <= Int64(maximumMetadata) else { throw malformed("\(name) is too large for metadata") }
            let bytes = try blobs.small(name)
            guard Int64(bytes.count) == size, bytes.withUnsafeBytes({ SHA256Hasher.digest($0) }) == digest else {
                throw malformed("\(name) does not match its digest or size")
            }
            return bytes
        }
        var index = try json(blobs.small("index.json"), "index.json")
        var manifest: JSONValue? = nil
        for _ in 0..<8 {
            guard case .array(let manifests)? = index["manifests"], !manifests.isEmpty else {
                throw malformed("the image index lists no manifest")
            }
            guard manifests.count == 1 else {
                throw malformed("the layout holds \(manifests.count) images; give a layout of one image")
            }
            let bytes = try readBlob(manifests[0])
            let media = manifests[0]["mediaType"]?.stringValue ?? ""
            if media.hasSuffix("image.index.v1+json") || media.hasSuffix("manifest.list.v2+json") {
                index = try json(bytes, "a nested index")
                continue
            }
            manifest = try json(bytes, "the image manifest")
            break
        }
        guard let manifest, case .array(let layers)? = manifest["layers"] else {
            throw malformed("no image manifest with layers")
        }
        for layer in layers {
            let (name, size, digest) = try verified(layer)
            let media = layer["mediaType"]?.stringValue ?? ""
            if media.contains("zstd") { throw malformed("\(name): zstd-compressed layers are not supported") }
            let raw = try blobs.blob(name)
            guard raw.length == size else {
                throw malformed("\(name) is \(raw.length) bytes, its descriptor says \(size)")
            }
            let checked = DigestingStream(raw)
            let reader = TarReader(try stream(checked, path: path + ":" + name), path: path + ":" + name)
            try tree.apply(reader)
            // Read what the tar reader left (padding, trailing blocks), then check the digest of the whole blob.
            try checked.drain()
            guard checked.digest() == digest else { throw malformed("\(name) does not match its digest") }
        }
    }

    /// A layout directory's files.
    struct DirectoryBlobs: Blobs {
        let directory: String

        func small(_ name: String) throws(DriftCheckError) -> [UInt8] {
            let file = try OpenFile(directory + "/" + name)
            guard file.size <= Int64(ImageArchive.maximumMetadata) else {
                throw DriftCheckError(.malformed, path: file.path, "too large for image metadata")
            }
            return try MappedFile.contents(of: file.path)
        }

        func blob(_ name: String) throws(DriftCheckError) -> FileRangeStream {
            let file = try OpenFile(directory + "/" + name)
            return file.range(0, file.size)
        }
    }

    /// The members of a layout packed in a tar, read again by their ranges.
    struct ArchiveBlobs: Blobs {
        let file: OpenFile
        let members: [[UInt8]: (offset: Int64, size: Int64)]
        let path: String

        private func member(_ name: String) throws(DriftCheckError) -> (offset: Int64, size: Int64) {
            guard let member = members[Array(("/" + name).utf8)] else {
                throw DriftCheckError(.malformed, path: path, "the layout has no \(name)")
            }
            return member
        }

        func small(_ name: String) throws(DriftCheckError) -> [UInt8] {
            let (offset, size) = try member(name)
            guard size <= Int64(ImageArchive.maximumMetadata) else {
                throw DriftCheckError(.malformed, path: path, "\(name) is too large for metadata")
            }
            var bytes = [UInt8](repeating: 0, count: Int(size))
            let stream = file.range(offset, size)
            var total = 0
            while total < bytes.count {
                let read = try bytes.withUnsafeMutableBytes { raw in
                    Result { () throws(DriftCheckError) in
                        try stream.read(into: raw.baseAddress! + total, count: raw.count - total)
                    }
                }.get()
                if read == 0 { break }
                total += read
            }
            return Array(bytes[0..<total])
        }

        func blob(_ name: String) throws(DriftCheckError) -> FileRangeStream {
            let (offset, size) = try member(name)
            return file.range(offset, size)
        }
    }
}

/// An open regular file, closed when the last reference goes.
final class OpenFile: Sendable {
    let descriptor: FileDescriptor
    let size: Int64
    let path: String

    init(_ path: String) throws(DriftCheckError) {
        switch SystemCalls.open(path, flags: O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) {
        case .failure(let error): throw DriftCheckError(.io, path: path, "cannot open: \(error)")
        case .success(let descriptor): self.descriptor = descriptor
        }
        guard case .success(let status) = descriptor.status(), status.type == .file else {
            throw DriftCheckError(.malformed, path: path, "not a regular file")
        }
        size = status.size
        self.path = path
    }

    func range(_ offset: Int64, _ length: Int64) -> FileRangeStream {
        FileRangeStream(descriptor: descriptor, offset: offset, length: length, path: path)
    }

    func isGzip() throws(DriftCheckError) -> Bool {
        var magic = [UInt8](repeating: 0, count: 2)
        return try range(0, 2).peek(&magic) == 2 && GzipStream.isGzip(magic)
    }
}

/// Passes a stream through while hashing it, to check an OCI blob against its digest.
final class DigestingStream: PeekableStream {
    private let source: FileRangeStream
    private let hasher = SHA256Hasher()

    init(_ source: FileRangeStream) {
        self.source = source
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(DriftCheckError) -> Int {
        let read = try source.read(into: buffer, count: count)
        hasher.update(buffer, count: read)
        return read
    }

    func peek(_ bytes: inout [UInt8]) throws(DriftCheckError) -> Int { try source.peek(&bytes) }

    /// Reads and hashes whatever is left.
    func drain() throws(DriftCheckError) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while try read(into: buffer, count: 1 << 16) > 0 {}
    }

    func digest() -> [UInt8] { hasher.finish() }
}
