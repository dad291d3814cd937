/// Alpine packages from `lib/apk/db/installed`, read as text.
///
/// Records:
/// `{"kind":"package","name":"musl","manager":"apk","version":"1.2.4-r2","arch":"x86_64","status":"installed"}`.
/// apk has no conffile list; files under /etc are treated as configuration (apk protects them the same way).
struct ApkCollector: Collector {
    var name: String { "apk" }

    static let databasePath = "lib/apk/db/installed"

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        guard let bytes = root.read(Self.databasePath) else { return }
        for package in ApkInstalledParser.parse(bytes) {
            state.records.append(
                RecordEntry(
                    kind: .package, name: package.name,
                    fields: [
                        RecordField("manager", .text("apk")), RecordField("version", .text(package.version)),
                        RecordField("arch", .text(package.architecture)), RecordField("status", .text("installed")),
                    ]))
            for file in package.files {
                state.packageFiles.add(Array(file.utf8), package: package.name, conffile: file.hasPrefix("/etc/"))
            }
        }
    }
}
