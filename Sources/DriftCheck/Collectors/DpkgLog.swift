import Glibc

/// When dpkg last worked on each package, from its own log (`var/log/dpkg.log`, then the uncompressed
/// `dpkg.log.1` before it): the evidence that ties a file a maintainer script made, or a package file changed later,
/// to a package's install or upgrade. A claim from the host's own log: it can only group items, never clear one.
///
/// A package's window starts at its last `install`, `upgrade`, `remove` or `purge` line and ends at the last line
/// that names it after that (its `status installed`, a trigger run). dpkg writes local time; it is read in the
/// scanning process's time zone, which on a host is the host's.
enum DpkgLog {
    static let paths = ["var/log/dpkg.log.1", "var/log/dpkg.log"]

    /// A closed range of seconds since the epoch.
    struct Window: Equatable {
        var start: Int64
        var end: Int64
    }

    /// The windows of every package the log names, keyed by the name as the log writes it ("tcpdump:amd64") and
    /// by the bare name.
    static func windows(from root: RootDirectory) -> [String: Window] {
        var windows: [String: Window] = [:]
        for path in paths {
            guard let bytes = root.read(path) else { continue }
            parse(bytes, into: &windows)
        }
        return windows
    }

    static func parse(_ bytes: [UInt8], into windows: inout [String: Window]) {
        for line in TextLines.lines(bytes) {
            let words = TextLines.words(line)
            guard words.count >= 4, let time = seconds(date: words[0], time: words[1]) else { continue }
            let action = words[2]
            let package: Substring
            switch action {
            case "install", "upgrade", "remove", "purge", "configure", "trigproc":
                package = words[3]
            case "status":
                guard words.count >= 5 else { continue }
                package = words[4]
            default:
                continue
            }
            let starts = ["install", "upgrade", "remove", "purge"].contains(action)
            let bare = package.split(separator: ":").first.map(String.init) ?? String(package)
            for key in Set([String(package), bare]) {
                if !starts, let window = windows[key] {
                    windows[key] = Window(start: window.start, end: max(window.end, time))
                } else {
                    windows[key] = Window(start: time, end: time)
                }
            }
        }
    }

    /// "2026-11-28" "10:02:03" in local time, as seconds since the epoch.
    static func seconds(date: Substring, time: Substring) -> Int64? {
        let day = date.split(separator: "-").compactMap { Int32($0) }
        let clock = time.split(separator: ":").compactMap { Int32($0) }
        guard day.count == 3, clock.count == 3, (1...12).contains(day[1]), (1...31).contains(day[2]),
            (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        var parts = tm()
        parts.tm_year = day[0] - 1900
        parts.tm_mon = day[1] - 1
        parts.tm_mday = day[2]
        parts.tm_hour = clock[0]
        parts.tm_min = clock[1]
        parts.tm_sec = clock[2]
        parts.tm_isdst = -1
        let seconds = mktime(&parts)
        return seconds < 0 ? nil : Int64(seconds)
    }
}
