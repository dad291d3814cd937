import DriftCheck
import Glibc

/// Where the executable's messages go.
enum Terminal {
    /// Writes one line to standard error.
    static func writeError(_ message: String) {
        let line = Array((message.hasSuffix("\n") ? message : message + "\n").utf8)
        line.withUnsafeBytes { raw in _ = write(2, raw.baseAddress, raw.count) }
    }

    /// Writes bytes to standard output, all of them.
    static func writeOutput(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in write(1, raw.baseAddress! + offset, raw.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw DriftCheckError.outputFailed(String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// True when standard error is a terminal (progress is shown only then).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// True when standard output is a terminal that accepts colour (a TTY, and NO_COLOR unset or empty).
    static var stdoutWantsColour: Bool {
        guard isatty(1) == 1 else { return false }
        if let value = getenv("NO_COLOR"), value.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }

    /// Seconds since an arbitrary fixed point, for timing.
    static var monotonicSeconds: Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
