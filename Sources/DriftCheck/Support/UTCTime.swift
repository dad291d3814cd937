import Glibc

/// Times as driftcheck writes them: ISO 8601 in UTC to the second ("2026-11-22T22:28:29Z").
package enum UTCTime {
    /// `seconds` since the epoch, formatted.
    package static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Seconds since the epoch for "YYYY-MM-DDTHH:MM:SSZ", or nil when `text` is not such a time.
    package static func seconds(_ text: String) -> Int? {
        BaselineStore.epochSeconds(text)
    }
}
