/// RHEL, Fedora, SUSE packages from the sqlite rpm database of current releases (`var/lib/rpm/rpmdb.sqlite`, or
/// `usr/lib/sysimage/rpm/rpmdb.sqlite`), read from bytes without running rpm. Older Berkeley DB databases
/// (RHEL 8 and earlier) are not read.
///
/// Records:
/// `{"kind":"package","name":"bash","manager":"rpm","version":"0:5.2.15-2.el9","arch":"x86_64","status":"installed"}`.
struct RpmCollector: Collector {
    var name: String { "rpm" }

    static let databasePaths = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"]

    static func packages(fromDatabase bytes: [UInt8]) -> [RpmPackage] {
        guard let database = SQLiteSnapshot(bytes: bytes), database.hasTable("Packages"),
            let blobs = database.blobs("SELECT blob FROM Packages")
        else { return [] }
        return blobs.compactMap(RpmHeaderParser.parse)
    }

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        guard let bytes = Self.databasePaths.lazy.compactMap({ root.read($0, limit: 1 << 30) }).first else { return }
        let history = DnfHistory.entries(from: root)
        for package in Self.packages(fromDatabase: bytes) where package.name != "gpg-pubkey" {
            let name =
                package.architecture.isEmpty || package.architecture == "noarch"
                ? package.name : "\(package.name).\(package.architecture)"
            var fields = [
                RecordField("manager", .text("rpm")), RecordField("version", .text(package.evr)),
                RecordField("arch", .text(package.architecture)), RecordField("status", .text("installed")),
            ]
            // dnf's own account of the last transaction that brought the package in (evidence, never compared).
            if let entry = history[name] ?? history[package.name] {
                fields.append(RecordField("dnf_time", .number(entry.time)))
                if let command = entry.command { fields.append(RecordField("dnf_command", .text(command))) }
                if let who = entry.requestedBy { fields.append(RecordField("dnf_requested_by", .text(who))) }
            }
            state.records.append(RecordEntry(kind: .package, name: name, fields: fields))
            for (index, file) in package.files.enumerated() {
                state.packageFiles.add(Array(file.path.utf8), package: name, conffile: file.config)
                if state.loadDigests, !file.config, index < package.sha256.count, let digest = package.sha256[index] {
                    state.packageFiles.setExpected(.sha256(digest), for: Array(file.path.utf8))
                }
            }
        }
    }
}
