import Glibc

/// When dpkg last worked on each package, from its own log (`var/log/dpkg.log`, and the logs logrotate kept
/// before it: `dpkg.log.1`, and `dpkg.log.2.gz` … `dpkg.log.12.gz`, decompressed, read oldest first): the evidence that ties a file a maintainer script made, or a package file changed, to a
/// package's install or upgrade. A claim from the host's own log, so it is only ever used to explain a change that
/// would otherwise stand alone, never to clear one without a window that contains it.
///
/// A package's window is its last operation: from its last `install`, `upgrade`, `remove` or `purge` line to the
/// first `status installed`, `config-files` or `not-installed` line after it (or the last line of that operation,
/// when it never finished). Trigger runs (`trigproc`, `triggers-pending`) do not stretch it. dpkg writes local time;
/// it is read in the scanned root's zone (the `/etc/localtime` link's zone name, else `/etc/timezone`): UTC as
/// such, another zone through this machine's time zone database. With no zone found, or one this machine does not
/// have, there is no window at all.
enum DpkgLog {
    /// What one log may decompress to.
    static let maximumLogSize = 64 << 20

    /// A closed range of seconds since the epoch.
    struct Window: Equatable {
        var start: Int64
        var end: Int64
        /// The operation reached a final status: later lines of the package belong to another operation.
        var finished = false
    }

    /// The windows of every package the log names, keyed by the name as the log writes it ("tcpdump:amd64") and
    /// by the bare name; empty when the root's time zone cannot be told.
    static func windows(from root: RootDirectory) -> [String: Window] {
        inRootZone(root) { utc in
            var windows: [String: Window] = [:]
            forEachLog(named: "var/log/dpkg.log", in: root) { parse($0, into: &windows, utc: utc) }
            return windows
        } ?? [:]
    }

    /// `body` run with local times read in the root's zone: it is told whether that zone is UTC (then times are
    /// read as UTC, with no time zone database and no change to the environment); otherwise the process's zone is
    /// the root's for the call (glibc would silently take an unknown name as UTC, so a zone this machine does not
    /// have gives nil, as does a root that names none).
    static func inRootZone<T>(_ root: RootDirectory, _ body: (Bool) -> T) -> T? {
        guard let zone = zone(of: root) else { return nil }
        let utc = utcZones.contains(zone)
        guard utc || SystemCalls.exists("/usr/share/zoneinfo/\(zone)") else { return nil }
        if utc { return body(true) }
        let previous = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", zone, 1)
        tzset()
        defer {
            if let previous { setenv("TZ", previous, 1) } else { unsetenv("TZ") }
            tzset()
        }
        return body(false)
    }

    /// Calls `body` with a log and each one logrotate kept of it (`NAME.12.gz` … `NAME.2.gz`, decompressed, then
    /// `NAME.1`, then `NAME`), oldest first, one at a time (at most ``maximumLogSize`` bytes each in memory); a
    /// damaged one is skipped.
    static func forEachLog(named name: String, in root: RootDirectory, _ body: ([UInt8]) -> Void) {
        for path in (2...12).reversed().map({ "\(name).\($0).gz" }) + ["\(name).1", name] {
            guard let bytes = root.read(path) else { continue }
            if path.hasSuffix(".gz") {
                if let plain = MemoryStream.gunzip(bytes, limit: maximumLogSize, path: path) { body(plain) }
            } else {
                body(bytes)
            }
        }
    }

    /// Zone names that are UTC.
    static let utcZones: Set<String> = [
        "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "Universal", "Etc/Universal",
        "Etc/Greenwich", "Greenwich", "GMT0", "Etc/GMT0", "GMT+0", "GMT-0", "Etc/GMT+0", "Etc/GMT-0",
    ]

    /// The zone name of the scanned root: the target of `etc/localtime` below `zoneinfo/`, else `etc/timezone`.
    static func zone(of root: RootDirectory) -> String? {
        var name: Substring? = nil
        if let target = root.linkTarget("etc/localtime"), let range = target.range(of: "zoneinfo/") {
            name = target[range.upperBound...]
        } else if let text = root.read("etc/timezone", limit: 4096) {
            name = TextLines.lines(text).first.map(TextLines.trim)
        }
        guard let name, !name.isEmpty, name.count < 64, !name.contains(".."),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_+-".contains($0)) })
        else { return nil }
        return String(name)
    }

    /// Adds the windows of the log `bytes` to `windows`; times are UTC when `utc`, else in the process's zone.
    static func parse(_ bytes: [UInt8], into windows: inout [String: Window], utc: Bool = false) {
        for line in TextLines.lines(bytes) {
            let words = TextLines.words(line)
            guard words.count >= 4, let time = seconds(date: words[0], time: words[1], utc: utc) else { continue }
            let action = words[2]
            let package: Substring
            var finishes = false
            switch action {
            case "install", "upgrade", "remove", "purge", "configure":
                package = words[3]
            case "status":
                guard words.count >= 5 else { continue }
                package = words[4]
                finishes = ["installed", "config-files", "not-installed"].contains(words[3])
                if words[3].hasPrefix("triggers-") { continue }
            default:
                continue  // trigproc, startup, conffile: no package operation of its own
            }
            let starts = ["install", "upgrade", "remove", "purge"].contains(action)
            let bare = package.split(separator: ":").first.map(String.init) ?? String(package)
            for key in Set([String(package), bare]) {
                if !starts, let window = windows[key] {
                    guard !window.finished else { continue }
                    windows[key] = Window(start: window.start, end: max(window.end, time), finished: finishes)
                } else {
                    windows[key] = Window(start: time, end: time, finished: finishes)
                }
            }
        }
    }

    /// "2026-11-28" "10:02:03" in local time (UTC when `utc`), as seconds since the epoch.
    static func seconds(date: Substring, time: Substring, utc: Bool = false) -> Int64? {
        let day = date.split(separator: "-").compactMap { Int32($0) }
        let clock = time.split(separator: ":").compactMap { Int32($0) }
        guard day.count == 3, clock.count == 3, (1...12).contains(day[1]), (1...31).contains(day[2]),
            (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        var parts = UTCTime.brokenDown(day + clock)
        let seconds = utc ? timegm(&parts) : mktime(&parts)
        return seconds < 0 ? nil : Int64(seconds)
    }
}
