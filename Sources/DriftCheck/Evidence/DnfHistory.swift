/// What dnf says it did to each package, from its history database (`var/lib/dnf/history.sqlite`, dnf 4 on RHEL
/// 8–10 and Fedora up to 40): the last transaction that installed, upgraded, downgraded or reinstalled it, with
/// its command line and the login uid that ran it. A claim from the host's own database, read from its bytes
/// (``SQLiteSnapshot``, never opened in place). dnf5's database (Fedora 41+) has another schema and is not read.
enum DnfHistory {
    static let path = "var/lib/dnf/history.sqlite"

    /// libdnf's TransactionItemAction: Install, Downgrade, Upgrade, Reinstall (what brings a package in).
    static let incoming: Set<String> = ["1", "2", "6", "9"]

    /// The last incoming transaction for each package name, with its name as written and as `name.arch`.
    static func entries(from root: RootDirectory) -> [String: AptHistory.Entry] {
        guard let bytes = root.read(path, limit: 256 << 20), let database = SQLiteSnapshot(bytes: bytes),
            database.hasTable("trans"), database.hasTable("trans_item"), database.hasTable("rpm"),
            let rows = database.rows(
                """
                SELECT r.name, r.arch, t.dt_begin, t.cmdline, t.user_id, ti.action FROM rpm r
                JOIN trans_item ti ON ti.item_id = r.item_id JOIN trans t ON t.id = ti.trans_id
                ORDER BY t.id DESC, ti.id DESC LIMIT 200000
                """)
        else { return [:] }
        let users = AccountNames(root: root)
        var entries: [String: AptHistory.Entry] = [:]
        for row in rows.reversed() {
            guard row.count == 6, let name = row[0], let arch = row[1], let begin = row[2].flatMap({ Int64($0) }),
                let action = row[5], incoming.contains(action)
            else { continue }
            var entry = AptHistory.Entry(time: begin)
            if let command = row[3] { entry.command = RedactedCommand.text("dnf " + command) }
            if let uid = row[4].flatMap({ Int64($0) }), uid >= 0, uid < 4_294_967_295 {
                entry.requestedBy = users.name(of: uid).map { "\($0) (\(uid))" } ?? "uid \(uid)"
            }
            entries[name] = entry
            entries["\(name).\(arch)"] = entry
        }
        return entries
    }
}

/// The root's account names by uid, from its `/etc/passwd`.
struct AccountNames {
    private var names: [Int64: String] = [:]

    init(root: RootDirectory) {
        guard let passwd = root.read("etc/passwd", limit: 16 << 20) else { return }
        for line in TextLines.lines(passwd) {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 3, let uid = Int64(fields[2]), names[uid] == nil {
                names[uid] = LoginEvent.clean(fields[0])
            }
        }
    }

    func name(of uid: Int64) -> String? { names[uid] }
}
