import Glibc

/// Reads a verified manifest line by line, in constant memory, checking as it goes that the file is exactly the
/// bytes whose signature was verified, that entries are in canonical order, and that the trailer is present.
package final class ManifestReader {
    package let path: String
    /// The header line.
    package private(set) var header: ManifestHeader
    /// The trailer, once the last entry has been read.
    package private(set) var trailer: ManifestTrailer? = nil
    package let keyID: String

    private let descriptor: FileDescriptor
    private let expectedDigest: [UInt8]

    /// SHA-256 of the manifest's bytes, as verified with its signature.
    package var digest: [UInt8] { expectedDigest }
    private let hasher = SHA256Hasher()
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var end = 0
    private var atEndOfFile = false
    private var lineNumber = 0
    private var previous: ManifestEntry? = nil
    private var entriesRead = 0
    private static let maximumLine = 1 << 20

    /// Opens a manifest whose signature was verified, and reads its header.
    init(verified: DetachedSignature.Verified) throws(DriftCheckError) {
        path = verified.path
        keyID = verified.keyID
        expectedDigest = verified.digest
        switch SystemCalls.open(verified.path, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw DriftCheckError(.io, path: verified.path, "cannot open: \(error)")
        }
        header = ManifestHeader(image: nil, host: "", time: "", tool: "", root: "", collectors: [], crossMounts: false)
        guard let line = try nextLine() else { throw malformed("empty file, expected a manifest header") }
        do {
            header = try ManifestEncoding.decodeHeader(try parse(line))
        } catch {
            throw malformed("not a driftcheck manifest header: \(error.message)")
        }
    }

    private func malformed(_ message: String) -> DriftCheckError {
        DriftCheckError(.malformed, path: path, lineNumber > 0 ? "line \(lineNumber): \(message)" : message)
    }

    private func parse(_ line: [UInt8]) throws(ManifestEncoding.Failure) -> JSONValue {
        do {
            return try JSONParser.parse(line)
        } catch {
            throw ManifestEncoding.Failure("not JSON: \(error.message)")
        }
    }

    /// The next line without its newline; nil at the end of the file. A last line without a newline is an error.
    private func nextLine() throws(DriftCheckError) -> [UInt8]? {
        while true {
            let found = buffer.withUnsafeBytes { raw in
                memchr(raw.baseAddress! + start, 0x0A, end - start).map { UnsafeRawPointer($0) - raw.baseAddress! }
            }
            if let newline = found {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEndOfFile {
                if start < end {
                    lineNumber += 1
                    throw malformed("truncated: the last line has no newline")
                }
                return nil
            }
            if end - start >= Self.maximumLine { throw malformed("line longer than \(Self.maximumLine) bytes") }
            if start > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: end - start)
                }
                end -= start
                start = 0
            }
            let result = buffer.withUnsafeMutableBytes { raw in
                SystemCalls.read(descriptor, into: raw.baseAddress! + end, count: raw.count - end)
            }
            switch result {
            case .success(0):
                atEndOfFile = true
            case .success(let count):
                buffer.withUnsafeBytes { raw in hasher.update(raw.baseAddress! + end, count: count) }
                end += count
            case .failure(let error):
                throw DriftCheckError(.io, path: path, "cannot read: \(error)")
            }
        }
    }

    /// The next entry, or nil after the last one (the trailer has then been checked).
    package func next() throws(DriftCheckError) -> ManifestEntry? {
        guard let line = try nextRawLine() else { return nil }
        return try decode(line)
    }

    /// The next line after the header, undecoded; nil once the trailer was read. For the comparer's fast path.
    func nextRawLine() throws(DriftCheckError) -> [UInt8]? {
        if trailer != nil { return nil }
        guard let line = try nextLine() else { throw malformed("truncated: no end line after \(entriesRead) entries") }
        return line
    }

    /// Counts a line the comparer found byte-identical to the other manifest's in its compared part, without
    /// decoding it.
    func skip(_ line: [UInt8]) {
        entriesRead += 1
    }

    /// Decodes a line from ``nextRawLine()``: an entry, or nil for the trailer (which is then checked).
    func decode(_ line: [UInt8]) throws(DriftCheckError) -> ManifestEntry? {
        let object: JSONValue
        do {
            let entry: ManifestEntry
            if let file = FileLineDecoder.decode(line) {
                entry = .file(file)
            } else {
                object = try parse(line)
                if let trailer = try ManifestEncoding.decodeTrailer(object) {
                    try finish(trailer)
                    return nil
                }
                entry = try ManifestEncoding.decodeEntry(object)
            }
            if let previous, !ManifestEntry.precedes(previous, entry) {
                throw ManifestEncoding.Failure("entries are not in canonical order")
            }
            previous = entry
            entriesRead += 1
            return entry
        } catch let error as ManifestEncoding.Failure {
            throw malformed(error.message)
        } catch let error as DriftCheckError {
            throw error
        } catch {
            throw malformed("\(error)")
        }
    }

    private func finish(_ trailer: ManifestTrailer) throws(DriftCheckError) {
        guard trailer.entries == entriesRead else {
            throw malformed("end line counts \(trailer.entries) entries but \(entriesRead) were read")
        }
        if try nextLine() != nil { throw malformed("data after the end line") }
        guard hasher.finish() == expectedDigest else {
            throw DriftCheckError(.trust, path: path, "changed while being read: not the bytes that were verified")
        }
        self.trailer = trailer
    }

    /// Opens and verifies a manifest against the trusted keys, then reads its header.
    static func open(_ path: String, trustedKeys: [Ed25519Key]) throws(DriftCheckError) -> ManifestReader {
        try ManifestReader(verified: try DetachedSignature.verify(path, trustedKeys: trustedKeys))
    }
}
