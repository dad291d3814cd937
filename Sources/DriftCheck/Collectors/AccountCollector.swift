/// Accounts from `etc/passwd`, `etc/group` and `etc/shadow`. No password hash ever leaves this collector: a user
/// record says only whether the password is `set`, `locked`, `empty` (no password at all) or `unknown` (no shadow
/// entry), and the day of the last password change from shadow's third field, which changes when the password does.
///
/// Records: `{"kind":"user","name":"alice","uid":1000,"gid":1000,"home":"/home/alice","shell":"/bin/bash",`
/// `"password":"set","password_changed":20000}` and `{"kind":"group","name":"sudo","gid":27,"members":["alice"]}`.
struct AccountCollector: Collector {
    var name: String { "accounts" }

    /// The state of a password field (from shadow, or from passwd when it holds the hash itself).
    static func passwordState(_ field: Substring) -> String {
        if field.isEmpty { return "empty" }
        if field.hasPrefix("!") || field.hasPrefix("*") { return "locked" }
        return "set"
    }

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        var shadow: [Substring: (state: String, changed: Int64?)] = [:]
        for line in TextLines.lines(root.read("etc/shadow") ?? []) {
            let parts = line.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, !parts[0].isEmpty else { continue }
            shadow[parts[0]] = (Self.passwordState(parts[1]), Int64(parts[2]))
        }
        var seenUsers = Set<Substring>()
        for line in TextLines.lines(root.read("etc/passwd") ?? []) {
            let parts = line.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 7, !parts[0].isEmpty, !parts[0].hasPrefix("+"), !parts[0].hasPrefix("-"),
                let uid = Int64(parts[2]), let gid = Int64(parts[3]), seenUsers.insert(parts[0]).inserted
            else { continue }
            let password: String
            var changed: Int64? = nil
            if parts[1] == "x" {
                password = shadow[parts[0]]?.state ?? "unknown"
                changed = shadow[parts[0]]?.changed
            } else {
                password = Self.passwordState(parts[1])
            }
            var fields = [
                RecordField("uid", .number(uid)), RecordField("gid", .number(gid)),
                RecordField("home", .text(String(parts[5]))), RecordField("shell", .text(String(parts[6]))),
                RecordField("password", .text(password)),
            ]
            if let changed { fields.append(RecordField("password_changed", .number(changed))) }
            state.records.append(RecordEntry(kind: .user, name: String(parts[0]), fields: fields))
        }
        var seenGroups = Set<Substring>()
        for line in TextLines.lines(root.read("etc/group") ?? []) {
            let parts = line.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 4, !parts[0].isEmpty, let gid = Int64(parts[2]), seenGroups.insert(parts[0]).inserted
            else { continue }
            let members = parts[3].split(separator: ",").map { String(TextLines.trim($0)) }.filter { !$0.isEmpty }
            state.records.append(
                RecordEntry(
                    kind: .group, name: String(parts[0]),
                    fields: [RecordField("gid", .number(gid)), RecordField("members", .list(members.sorted()))]))
        }
    }
}
