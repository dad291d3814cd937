import Glibc

/// Times as driftcheck writes them: ISO 8601 in UTC to the second ("2026-11-22T22:28:29Z").
package enum UTCTime {
    /// `seconds` since the epoch, formatted.
    /// Times beyond what `gmtime_r` can break down (a file's mtime can be set to any 64-bit value) are written as
    /// the year 9999's last second or the epoch, never trapped on.
    package static func format(_ seconds: Int) -> String {
        var time = time_t(min(max(seconds, 0), 253_402_300_799))  // 0 … 9999-12-31T23:59:59Z
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return "1970-01-01T00:00:00Z" }
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(Int64(parts.tm_year) + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Seconds since the epoch for "YYYY-MM-DDTHH:MM:SSZ", or nil when `text` is not such a time.
    package static func seconds(_ text: String) -> Int? {
        let digits = text.split(whereSeparator: { "-T:Z".contains($0) }).compactMap { Int32($0) }
        guard digits.count == 6, text.hasSuffix("Z") else { return nil }
        var parts = brokenDown(digits)
        let seconds = timegm(&parts)
        return seconds < 0 ? nil : Int(seconds)
    }

    /// A `tm` from year, month (1–12), day, hour, minute and second, with daylight saving time left for the C
    /// library to tell (`tm_isdst` −1).
    static func brokenDown(_ digits: [Int32]) -> tm {
        var parts = tm()
        parts.tm_year = digits[0] - 1900
        parts.tm_mon = digits[1] - 1
        parts.tm_mday = digits[2]
        parts.tm_hour = digits[3]
        parts.tm_min = digits[4]
        parts.tm_sec = digits[5]
        parts.tm_isdst = -1
        return parts
    }
}
