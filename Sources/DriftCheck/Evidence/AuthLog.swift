import Glibc

/// The authentication log that syslog writes (`var/log/auth.log` on Debian and Ubuntu, `var/log/secure` on RHEL
/// and Fedora, with the copies logrotate kept), and the same messages from the journal: ssh logins and their end,
/// failed logins, sudo and su.
///
/// Lines in RFC 3339 form (`2026-11-28T10:00:05.123456+00:00 web-01 sshd[1234]: …`, rsyslog's default on Debian
/// 12) carry their zone; lines in the traditional form (`Nov 28 10:00:05 web-01 sshd[1234]: …`) are read in the
/// scanned root's zone, in the year that puts them at most a day after `now`.
enum AuthLog {
    /// The events of the root's authentication logs, oldest first; empty when it has none.
    static func events(in root: RootDirectory, now: Int64) -> [LoginEvent] {
        // Without a known zone, RFC 3339 lines (which carry theirs) are still read; traditional ones are not.
        DpkgLog.inRootZone(root) { utc in read(root, zone: utc ? .utc : .local, now: now) }
            ?? read(root, zone: .unknown, now: now)
    }

    /// How to read a traditional line's local time.
    enum Zone {
        case utc, local, unknown
    }

    private static func read(_ root: RootDirectory, zone: Zone, now: Int64) -> [LoginEvent] {
        var reader = Reader(source: "auth.log")
        DpkgLog.forEachLog(named: "var/log/auth.log", in: root) { reader.addLines($0, zone: zone, now: now) }
        var secure = Reader(source: "secure")
        // RHEL rotates with dates: secure-20261122, oldest first by name.
        let rotated = (root.list("var/log") ?? []).filter { $0.hasPrefix("secure-") }.sorted()
        for name in rotated + ["secure"] {
            if let bytes = root.read("var/log/\(name)", limit: DpkgLog.maximumLogSize) {
                secure.addLines(bytes, zone: zone, now: now)
            }
        }
        return reader.events + secure.events
    }

    /// Turns messages of sshd, sudo and su into events, pairing an ssh login with its end by sshd's process id.
    struct Reader {
        let source: String
        /// The events read so far; an ssh session whose end this log does not hold stays without one.
        private(set) var events: [LoginEvent] = []
        private var open: [String: Int] = [:]

        init(source: String) {
            self.source = source
        }

        /// Every syslog line of a log file.
        /// Lines read per log file: the newest (a log padded through `logger` costs no more).
        static let maximumLines = 200_000

        mutating func addLines(_ bytes: [UInt8], zone: Zone, now: Int64) {
            for line in TextLines.lines(bytes).suffix(Self.maximumLines) {
                guard let (time, rest) = AuthLog.time(of: line, zone: zone, now: now) else { continue }
                // HOST PROGRAM[PID]: MESSAGE
                let words = rest.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
                guard words.count == 3, words[1].hasSuffix(":") else { continue }
                var tag = words[1].dropLast()
                var pid: Substring? = nil
                if let open = tag.firstIndex(of: "["), tag.last == "]" {
                    pid = tag[tag.index(after: open)..<tag.index(before: tag.endIndex)]
                    tag = tag[..<open]
                }
                add(program: tag, pid: pid, message: words[2], time: time)
            }
        }

        /// One message of `program` (process `pid`) at `time`.
        mutating func add(program: Substring, pid: Substring?, message: Substring, time: Int64) {
            let words = TextLines.words(message)
            switch program {
            case "sshd":
                if words.count >= 6, words[0] == "Accepted", words[2] == "for", words[4] == "from" {
                    var event = LoginEvent(
                        kind: .session, source: source, user: LoginEvent.clean(words[3]), start: time)
                    event.from = LoginEvent.clean(words[5])
                    event.line = "ssh"
                    if let pid { open[String(pid)] = events.count }
                    events.append(event)
                } else if message.contains("session closed for user") || message.hasPrefix("Disconnected from user") {
                    if let pid, let index = open.removeValue(forKey: String(pid)) {
                        events[index].end = time
                        events[index].ended = "logout"
                    }
                } else if words.count >= 6, words[0] == "Failed", words[2] == "for" {
                    // "Failed password for [invalid user] NAME from ADDR port N ssh2"
                    let invalid = words.count >= 8 && words[3] == "invalid" && words[4] == "user"
                    let user = invalid ? words[5] : words[3]
                    let fromIndex = invalid ? 6 : 4
                    guard words.count > fromIndex + 1, words[fromIndex] == "from" else { return }
                    var event = LoginEvent(kind: .failed, source: source, user: LoginEvent.clean(user), start: time)
                    event.from = LoginEvent.clean(words[fromIndex + 1])
                    events.append(event)
                }
            case "sudo":
                // "admin : TTY=pts/0 ; PWD=/home/admin ; USER=root ; COMMAND=/usr/bin/vi /etc/ssh/sshd_config";
                // a refusal puts its reason first ("admin : 3 incorrect password attempts ; TTY=…").
                guard let colon = message.range(of: " : "), let command = message.range(of: "COMMAND=") else { return }
                let user = TextLines.trim(message[..<colon.lowerBound])
                let fields = message[colon.upperBound..<command.lowerBound].split(separator: ";").map(TextLines.trim)
                func field(_ name: String) -> String? {
                    fields.first { $0.hasPrefix(name + "=") }.map { LoginEvent.clean($0.dropFirst(name.count + 1)) }
                }
                let refused = fields.contains { !$0.contains("=") && !$0.isEmpty }
                var event = LoginEvent(
                    kind: refused ? .failed : .sudo, source: source, user: LoginEvent.clean(user), start: time)
                event.command = RedactedCommand.text(String(message[command.upperBound...]))
                event.runAs = field("USER")
                event.line = field("TTY")
                events.append(event)
            case "login":
                // "pam_unix(login:session): session opened for user root(uid=0) by LOGIN(uid=0)"
                if message.contains("(login:session): session opened for user"),
                    let index = words.firstIndex(of: "user"), index + 1 < words.count
                {
                    let user = words[index + 1].split(separator: "(").first ?? words[index + 1]
                    var event = LoginEvent(kind: .session, source: source, user: LoginEvent.clean(user), start: time)
                    event.line = "console"
                    if let pid { open["login" + pid] = events.count }
                    events.append(event)
                } else if message.contains("(login:session): session closed"), let pid,
                    let index = open.removeValue(forKey: "login" + pid)
                {
                    events[index].end = time
                    events[index].ended = "logout"
                }
            case "su", "su-l":
                // "pam_unix(su:session): session opened for user root(uid=0) by admin(uid=1000)"
                guard message.contains(":session): session opened for user"),
                    let by = words.firstIndex(of: "by"), by + 1 < words.count, by >= 1
                else { return }
                let target = words[by - 1].split(separator: "(").first ?? words[by - 1]
                let user = words[by + 1].split(separator: "(").first ?? words[by + 1]
                guard !user.isEmpty else { return }
                var event = LoginEvent(kind: .su, source: source, user: LoginEvent.clean(user), start: time)
                event.runAs = LoginEvent.clean(target)
                events.append(event)
            default:
                return
            }
        }
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The time a syslog line starts with, and the rest of the line.
    static func time(of line: Substring, zone: Zone, now: Int64) -> (Int64, Substring)? {
        let words = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let first = words.first else { return nil }
        if first.count >= 20, first.dropFirst(4).first == "-", words.count == 2 {
            return rfc3339(first).map { ($0, words[1]) }
        }
        // "Nov 28 10:00:05 rest", the day padded with a space when it has one digit.
        guard zone != .unknown else { return nil }
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        guard parts.count == 4, let month = months.firstIndex(of: String(parts[0])), let day = Int32(parts[1]) else {
            return nil
        }
        let clock = parts[2].split(separator: ":").compactMap { Int32($0) }
        guard clock.count == 3 else { return nil }
        var year = Int32(UTCTime.format(Int(now)).prefix(4)) ?? 1970
        for _ in 0..<2 {
            var broken = UTCTime.brokenDown([year, Int32(month + 1), day] + clock)
            let seconds = Int64(zone == .utc ? timegm(&broken) : mktime(&broken))
            if seconds <= now + 86_400 { return seconds < 0 ? nil : (seconds, parts[3]) }
            year -= 1
        }
        return nil
    }

    /// "2026-11-28T10:00:05.123456+00:00" (or "Z") as seconds since the epoch.
    static func rfc3339(_ text: Substring) -> Int64? {
        let characters = Array(text.utf8)
        guard characters.count >= 20, characters[10] == UInt8(ascii: "T") else { return nil }
        let digits = [0..<4, 5..<7, 8..<10, 11..<13, 14..<16, 17..<19].compactMap { range in
            Int32(String(decoding: characters[range], as: UTF8.self))
        }
        guard digits.count == 6 else { return nil }
        var rest = characters[19...]
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            while let digit = rest.first, digit >= 0x30, digit <= 0x39 { rest = rest.dropFirst() }
        }
        var offset: Int64 = 0
        if rest.first == UInt8(ascii: "Z") {
            offset = 0
        } else if rest.count == 6, let sign = rest.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let zone = Array(rest)
            guard let hours = Int64(String(decoding: zone[1..<3], as: UTF8.self)),
                let minutes = Int64(String(decoding: zone[4..<6], as: UTF8.self))
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        } else {
            return nil
        }
        var broken = UTCTime.brokenDown(digits)
        let seconds = Int64(timegm(&broken))
        return seconds < 0 ? nil : seconds - offset
    }
}
