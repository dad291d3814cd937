/// What a host's own logs say about who was on it and what they ran: a login session, a failed login, a command
/// run through sudo or su, a boot. A claim, not proof: whoever had root could have edited the log. Kept in a host
/// manifest as an `evidence` record, which is never compared.
package struct LoginEvent: Equatable, Sendable {
    package enum Kind: String, Sendable {
        case session, failed, sudo, su, boot
    }

    package var kind: Kind
    /// The log it comes from: wtmp, btmp, lastlog, auth.log, secure, journal.
    package var source: String
    package var user: String
    /// Where the session came from: a host name or address.
    package var from: String? = nil
    /// The terminal ("pts/0").
    package var line: String? = nil
    /// Seconds since the epoch.
    package var start: Int64
    /// The end of a session, when the log has it.
    package var end: Int64? = nil
    /// How a session ended, or that it had not: "logout", "reboot", "still open".
    package var ended: String? = nil
    /// The command run (sudo, su), cleaned and bounded.
    package var command: String? = nil
    /// The user a command ran as.
    package var runAs: String? = nil

    package init(kind: Kind, source: String, user: String, start: Int64) {
        self.kind = kind
        self.source = source
        self.user = user
        self.start = start
    }

    /// The record kind of evidence in a manifest.
    package static let recordKind = EntryKind("evidence")

    /// Text fields are bounded and free of control characters before they are kept.
    static func clean(_ text: Substring, limit: Int = 200) -> String {
        String(TerminalText.clean(String(text.prefix(limit))))
    }

    /// The event as a manifest record; `sequence` keeps names unique and in time order.
    func record(sequence: Int) -> RecordEntry {
        let number = String(sequence)
        let name = "\(UTCTime.format(Int(start))) \(String(repeating: "0", count: max(0, 6 - number.count)))\(number)"
        var fields = [
            RecordField("event", .text(kind.rawValue)), RecordField("source", .text(source)),
            RecordField("user", .text(user)), RecordField("start", .number(start)),
        ]
        if let from { fields.append(RecordField("from", .text(from))) }
        if let line { fields.append(RecordField("line", .text(line))) }
        if let end { fields.append(RecordField("until", .number(end))) }
        if let ended { fields.append(RecordField("ended", .text(ended))) }
        if let command { fields.append(RecordField("command", .text(command))) }
        if let runAs { fields.append(RecordField("run_as", .text(runAs))) }
        return RecordEntry(kind: Self.recordKind, name: name, fields: fields.sorted { $0.key < $1.key })
    }

    /// The event an `evidence` record holds, or nil when it is not one.
    package init?(record: RecordEntry) {
        guard record.kind == Self.recordKind, let kind = record.text("event").flatMap(Kind.init(rawValue:)),
            let source = record.text("source"), let user = record.text("user"), let start = record.number("start")
        else { return nil }
        self.init(kind: kind, source: source, user: user, start: start)
        from = record.text("from")
        line = record.text("line")
        end = record.number("until")
        ended = record.text("ended")
        command = record.text("command")
        runAs = record.text("run_as")
    }
}
