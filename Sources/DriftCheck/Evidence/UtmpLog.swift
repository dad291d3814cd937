/// The login accounting files glibc's `utmp` format describes, as `login`, `sshd` and systemd write them on Linux:
/// `var/log/wtmp` (sessions, boots) and `var/log/btmp` (failed logins), records of 384 bytes.
///
/// Sessions are paired the way `last` pairs them: a `USER_PROCESS` record is closed by the next `DEAD_PROCESS`
/// (logout) or `USER_PROCESS` record on the same terminal line, or by the next boot; with none of those after it,
/// the session is still open.
enum UtmpLog {
    static let recordSize = 384
    static let userProcess: Int16 = 7
    static let deadProcess: Int16 = 8
    static let bootTime: Int16 = 2
    static let loginProcess: Int16 = 6

    /// One record's fields (x86_64 and aarch64 layout: 32-bit time).
    struct Record {
        var type: Int16
        var line: String
        var user: String
        var host: String
        var time: Int64
    }

    static func records(_ bytes: [UInt8]) -> [Record] {
        var records: [Record] = []
        var offset = 0
        while offset + recordSize <= bytes.count {
            let slice = bytes[offset..<(offset + recordSize)]
            func text(_ start: Int, _ count: Int) -> String {
                let field = slice[(offset + start)..<(offset + start + count)]
                let end = field.firstIndex(of: 0) ?? field.endIndex
                return LoginEvent.clean(Substring(String(decoding: field[field.startIndex..<end], as: UTF8.self)))
            }
            func int32(_ start: Int) -> Int32 {
                let base = offset + start
                return Int32(
                    bitPattern: UInt32(slice[base]) | UInt32(slice[base + 1]) << 8
                        | UInt32(slice[base + 2]) << 16 | UInt32(slice[base + 3]) << 24)
            }
            let type = Int16(bitPattern: UInt16(slice[offset]) | UInt16(slice[offset + 1]) << 8)
            records.append(
                Record(type: type, line: text(8, 32), user: text(44, 32), host: text(76, 256), time: Int64(int32(340))))
            offset += recordSize
        }
        return records
    }

    /// The sessions and boots of a wtmp file.
    static func sessions(_ bytes: [UInt8], source: String = "wtmp") -> [LoginEvent] {
        var events: [LoginEvent] = []
        var open: [String: Int] = [:]  // terminal line → index of its open session in `events`
        func close(_ index: Int, at time: Int64, how: String) {
            events[index].end = time
            events[index].ended = how
        }
        for record in records(bytes) where record.time > 0 {
            switch record.type {
            case bootTime:
                for index in open.values { close(index, at: record.time, how: "reboot") }
                open = [:]
                events.append(LoginEvent(kind: .boot, source: source, user: "reboot", start: record.time))
            case userProcess where !record.user.isEmpty && !record.line.isEmpty:
                if let index = open[record.line] { close(index, at: record.time, how: "replaced") }
                var event = LoginEvent(kind: .session, source: source, user: record.user, start: record.time)
                event.line = record.line
                event.from = record.host.isEmpty ? nil : record.host
                open[record.line] = events.count
                events.append(event)
            case deadProcess where !record.line.isEmpty:
                if let index = open.removeValue(forKey: record.line) { close(index, at: record.time, how: "logout") }
            default:
                continue
            }
        }
        for index in open.values { events[index].ended = "still open" }
        return events
    }

    /// The failed logins of a btmp file.
    static func failures(_ bytes: [UInt8]) -> [LoginEvent] {
        records(bytes).compactMap { record in
            guard record.time > 0, record.type == userProcess || record.type == loginProcess, !record.user.isEmpty
            else { return nil }
            var event = LoginEvent(kind: .failed, source: "btmp", user: record.user, start: record.time)
            event.line = record.line.isEmpty ? nil : record.line
            event.from = record.host.isEmpty ? nil : record.host
            return event
        }
    }
}
