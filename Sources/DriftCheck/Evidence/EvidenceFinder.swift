/// Ties each drifted item to what the host's logs say about the time it changed (``Evidence``): the package
/// operation apt or dpkg recorded for it, the sudo or su command that names its path, the login sessions open
/// then, and failed logins in the hour before.
struct EvidenceFinder {
    /// The host manifest's evidence, oldest first.
    let events: [LoginEvent]

    /// How far a log's clock and a file's ctime may disagree.
    static let slack: Int64 = 60
    /// A session whose log has no end (auth.log rotated, lastlog) counts as open this long.
    static let unendedSession: Int64 = 12 * 3600
    static let maximumSessions = 3

    /// Failed logins, the same attempt in btmp and in auth.log (or the journal) once.
    let failures: [LoginEvent]
    /// Every failed login as the logs record it, twins included: where the claim says they come from.
    let failureRecords: [LoginEvent]

    init(records: [RecordEntry]) {
        events = records.compactMap(LoginEvent.init(record:)).sorted { $0.start < $1.start }
        failureRecords = events.filter { $0.kind == .failed }
        var failures: [LoginEvent] = []
        var recent: [LoginEvent] = []  // the failures of the last two seconds, to find a twin among
        for event in failureRecords {
            recent.removeAll { $0.start < event.start - 1 }
            // Each attempt has at most one twin: the one matched is used up.
            if let twin = recent.firstIndex(where: {
                $0.source != event.source && $0.user == event.user && $0.from == event.from
            }) {
                recent.remove(at: twin)
                continue
            }
            recent.append(event)
            failures.append(event)
        }
        self.failures = failures
    }

    /// Sets the evidence of every item and of everything grouped under it.
    func attach(to items: inout [DriftItem]) {
        for index in items.indices {
            attach(to: &items[index].related)
            items[index].evidence = evidence(for: items[index])
        }
    }

    func evidence(for item: DriftItem) -> Evidence {
        var evidence = Evidence()
        if let file = item.hostFile {
            evidence.changed = file.changed.seconds
            evidence.modified = file.modified.seconds
        } else if item.kind == .user, case .record(let record)? = item.host, let home = record.text("home"),
            let made = item.related.first(where: { $0.nameText == home })?.hostFile
        {
            // The account databases are rewritten by every later account change; its home was made with it.
            evidence.changed = made.changed.seconds
        } else if let newest = item.related.compactMap({ $0.hostFile?.changed.seconds }).max() {
            evidence.changed = newest
        }
        if item.kind == .package, case .record(let record)? = item.host {
            if let tool = ["apt", "dnf"].first(where: { record.number("\($0)_time") != nil }),
                let time = record.number("\(tool)_time")
            {
                var text = "`\(record.text("\(tool)_command") ?? tool)`"
                if let who = record.text("\(tool)_requested_by") { text += " requested by \(Self.user(who))" }
                evidence.claims.append(
                    Evidence.Claim(source: "\(tool) history", text: text + " at \(Evidence.minute(time))"))
                evidence.changed = evidence.changed ?? time
            } else if let start = record.number("activity_start"), let end = record.number("activity_end") {
                let text = "dpkg worked on it \(Evidence.minute(start))–\(Evidence.clock(end, sameDayAs: start))"
                evidence.claims.append(Evidence.Claim(source: "dpkg.log", text: text))
                evidence.changed = evidence.changed ?? end
            }
        }
        guard let time = evidence.changed else { return evidence }
        // What a command would name: a file's path, an account's, service's or package's name.
        let path = [.file, .user, .group, .service, .package].contains(item.kind) ? item.nameText : nil
        // A package manager's own claim says what ran; another command is named only when it names the file.
        evidence.claims += commands(at: time, naming: path, fallback: evidence.claims.isEmpty)
        evidence.claims += sessions(at: time)
        if let failures = failures(before: time) { evidence.claims.append(failures) }
        return evidence
    }

    /// The sudo or su command that names `path` (up to a day before; one logged up to ``slack`` after counts only
    /// when none is logged before), else the last one in the 30 minutes before, said to be that.
    private func commands(at time: Int64, naming path: String?, fallback: Bool) -> [Evidence.Claim] {
        let commands = events.filter { $0.kind == .sudo || $0.kind == .su }
        func last(_ limit: Int64, _ matches: (LoginEvent) -> Bool) -> LoginEvent? {
            commands.last { $0.start <= limit && matches($0) }
        }
        let naming = { (event: LoginEvent) in
            event.start >= time - 86_400
                && path.map { path in event.command.map { Self.names($0, path) } ?? false }
                    ?? false
        }
        var text: String
        let event: LoginEvent
        if let found = last(time, naming) ?? last(time + Self.slack, naming) {
            event = found
            text = ""
        } else if fallback, let found = commands.last(where: { $0.start < time && $0.start >= time - 1800 }) {
            event = found
            text = "the last privileged command before it: "
        } else {
            return []
        }
        text += event.kind == .sudo ? "sudo `\(event.command ?? "?")`" : "su to \(event.runAs ?? "?")"
        text += " by \(event.user)"
        if event.kind == .sudo, let runAs = event.runAs, runAs != "root" { text += " as \(runAs)" }
        text += " at \(Evidence.clock(event.start, sameDayAs: time))"
        return [Evidence.Claim(source: event.source, text: text)]
    }

    /// "admin (1000)", as apt's Requested-By writes it, as "admin (uid 1000)".
    static func user(_ text: String) -> String {
        guard text.hasSuffix(")"), let open = text.lastIndex(of: "("),
            text[text.index(after: open)..<text.index(before: text.endIndex)].allSatisfy(\.isNumber)
        else { return text }
        return text[..<open] + "(uid " + text[text.index(after: open)...]
    }

    /// True when `command` names `path` (a path or a name) as a whole word, or as a service without `.service`.
    static func names(_ command: String, _ path: String) -> Bool {
        command.split(separator: " ").contains { word in
            word == path || word.hasSuffix("=" + path) || word + ".service" == path
        }
    }

    /// The login sessions open at `time`, the same session from several logs told once.
    private func sessions(at time: Int64) -> [Evidence.Claim] {
        var found: [(event: LoginEvent, sources: [String])] = []
        for event in events where event.kind == .session && event.start <= time + Self.slack {
            let end =
                event.end ?? (event.ended == "still open" ? Int64.max : event.start + Self.unendedSession)
            guard end >= time - Self.slack else { continue }
            if let index = found.firstIndex(where: {
                $0.event.user == event.user && abs($0.event.start - event.start) <= 5
            }) {
                if !found[index].sources.contains(event.source) { found[index].sources.append(event.source) }
                if found[index].event.end == nil, let end = event.end { found[index].event.end = end }
                if found[index].event.from == nil { found[index].event.from = event.from }
                continue
            }
            found.append((event, [event.source]))
        }
        return found.suffix(Self.maximumSessions).map { event, sources in
            var text = event.source == "lastlog" ? "last login of \(event.user)" : "login session of \(event.user)"
            if let from = event.from { text += " from \(from)" }
            if let line = event.line, line != "ssh" { text += " on \(line)" }
            let start = Evidence.clock(event.start, sameDayAs: time)
            if let end = event.end {
                text += " \(start)–\(Evidence.clock(end, sameDayAs: event.start))"
            } else if event.ended == "still open" {
                text += " since \(start), still open"
            } else {
                text += " at \(start)"
            }
            return Evidence.Claim(source: sources.joined(separator: ", "), text: text)
        }
    }

    /// Failed logins in the hour before `time`, counted, with where the most came from.
    private func failures(before time: Int64) -> Evidence.Claim? {
        let failed = failures.filter { $0.start <= time && $0.start >= time - 3600 }
        guard !failed.isEmpty else { return nil }
        var counts: [String: Int] = [:]
        for event in failed { counts[event.from ?? "?", default: 0] += 1 }
        let top = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!
        let sources = Array(
            Set(failureRecords.filter { $0.start <= time && $0.start >= time - 3600 }.map(\.source))
        ).sorted().joined(separator: ", ")
        return Evidence.Claim(
            source: sources, text: "\(failed.count) failed logins in the hour before, most from \(top.key)")
    }
}
