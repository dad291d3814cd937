import Glibc

/// Streams a manifest to disk: header, entries in canonical order, trailer; then signs it and moves both the
/// signature and the manifest into place atomically. Memory use does not grow with the number of entries.
final class ManifestWriter {
    private let file: AtomicFile
    private var json = JSONBuilder(capacity: 1024)
    private var previous: ManifestEntry? = nil
    private(set) var entryCount = 0
    private(set) var errorCount = 0
    /// The mode of the manifest and its signature.
    private let mode: mode_t

    init(path: String, header: ManifestHeader, mode: mode_t = AtomicFile.outputMode) throws(DriftCheckError) {
        self.mode = mode
        file = try AtomicFile(path: path, mode: mode)
        ManifestEncoding.encode(header, into: &json)
        try writeLine()
    }

    /// The identity of the file being written, which a scan of the same filesystem must leave out.
    var identity: FileIdentity? { file.identity }

    private func writeLine() throws(DriftCheckError) {
        try file.write(json.bytes)
        try file.write(Self.newline)
    }

    private static let newline: [UInt8] = [0x0A]

    /// Appends one entry. Entries must arrive in canonical order; the scanner guarantees it and this checks it.
    func append(_ entry: ManifestEntry) throws(DriftCheckError) {
        if let previous, !ManifestEntry.precedes(previous, entry) {
            throw DriftCheckError(.io, path: file.path, "internal error: entries out of canonical order")
        }
        previous = entry
        entryCount += 1
        if case .file(let file) = entry, file.error != nil { errorCount += 1 }
        ManifestEncoding.encode(entry, into: &json)
        try writeLine()
    }

    /// Writes the trailer, signs the complete bytes with `key`, and renames the signature and then the manifest
    /// into place.
    func finish(signingWith key: Ed25519Key, reused: Int = 0) throws(DriftCheckError) {
        var trailer = ManifestTrailer(entries: entryCount, errors: errorCount)
        trailer.reused = reused
        ManifestEncoding.encode(trailer, into: &json)
        try writeLine()
        try DetachedSignature.sign(
            descriptor: try file.flushedDescriptor(), of: file.path, with: key, mode: mode)
        try file.commit()
    }
}
