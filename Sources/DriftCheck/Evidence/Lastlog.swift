/// `var/log/lastlog`, which `login` and `sshd` keep per user: a sparse file of 292-byte records indexed by uid
/// (time as 32 bits, terminal line, host). Only the accounts of the root's `/etc/passwd` are looked up, each with
/// one positioned read, so a sparse file of any apparent size costs what its accounts cost.
enum Lastlog {
    static let recordSize = 292

    /// The last login of every account that has one.
    static func events(in root: RootDirectory) -> [LoginEvent] {
        guard let passwd = root.read("etc/passwd", limit: 16 << 20) else { return [] }
        var events: [LoginEvent] = []
        var seen = Set<UInt32>()
        for line in TextLines.lines(passwd) {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, let uid = UInt32(fields[2]), uid < 1 << 24, seen.insert(uid).inserted,
                let record = root.read("var/log/lastlog", at: Int64(uid) * Int64(recordSize), count: recordSize),
                record.count == recordSize
            else { continue }
            let time = Int64(
                UInt32(record[0]) | UInt32(record[1]) << 8 | UInt32(record[2]) << 16 | UInt32(record[3]) << 24)
            guard time > 0 else { continue }
            func text(_ start: Int, _ count: Int) -> String? {
                let field = record[start..<(start + count)]
                let end = field.firstIndex(of: 0) ?? field.endIndex
                let value = LoginEvent.clean(Substring(String(decoding: field[start..<end], as: UTF8.self)))
                return value.isEmpty ? nil : value
            }
            var event = LoginEvent(
                kind: .session, source: "lastlog", user: LoginEvent.clean(fields[0]), start: time)
            event.line = text(4, 32)
            event.from = text(36, 256)
            events.append(event)
        }
        return events
    }
}
