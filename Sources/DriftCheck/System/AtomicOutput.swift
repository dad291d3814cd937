import Glibc

/// Atomic whole-file writes for the executable (reports).
package enum AtomicOutput {
    /// The mode of what driftcheck writes unless told otherwise (`--mode`).
    package static let defaultMode = AtomicFile.outputMode

    /// Writes `bytes` to `path` through a temporary file, fsync and rename, with `mode` (default 0640).
    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t = AtomicFile.outputMode)
        throws(DriftCheckError)
    {
        try AtomicFile.write(bytes, to: path, mode: mode)
    }

    /// The mode an operator wrote ("640", "0644"), if it is octal, at most 0777 and writable by nobody but the owner.
    package static func mode(parsing text: String) -> mode_t? {
        guard !text.isEmpty, text.count <= 4, let value = UInt32(text, radix: 8), value <= 0o777, value & 0o022 == 0
        else { return nil }
        return mode_t(value)
    }
}
