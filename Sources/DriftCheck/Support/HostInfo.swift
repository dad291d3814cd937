import Glibc

/// Facts about the running system and tool that go into manifest headers and reports.
package enum HostInfo {
    /// The tool's name and version, as written into manifests and reports.
    package static let toolVersion = "driftcheck 0.1.0"

    /// This machine's host name (`gethostname`).
    package static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The current UTC time in ISO 8601 with seconds ("2026-11-22T22:28:29Z").
    package static var now: String { UTCTime.format(Int(Glibc.time(nil))) }
}
