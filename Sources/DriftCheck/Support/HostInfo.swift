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
    package static var now: String {
        var time = time_t(0)
        Glibc.time(&time)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
