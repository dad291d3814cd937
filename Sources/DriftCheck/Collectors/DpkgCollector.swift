/// Debian/Ubuntu packages from `var/lib/dpkg/status` (no subprocess), and which package owns each path from
/// `var/lib/dpkg/info/*.list`, with conffiles from the status file.
///
/// Records: `{"kind":"package","name":"nano","manager":"dpkg","version":"7.2-1","arch":"amd64",`
/// `"status":"install ok installed"}`, and the evidence keys (never compared, see ``RecordEntry/evidenceKeys``)
/// `activity_start`/`activity_end` (dpkg.log's last window for it, ``DpkgLog``), `accounts` and `script_paths` (the
/// accounts its maintainer scripts make and the paths they name, ``MaintainerScripts``), `apt_time`, `apt_command`
/// and `apt_requested_by` (apt's last transaction for it, ``AptHistory``) when there is such evidence.
/// Packages whose state is `not-installed` are left out (dpkg keeps them only as bookkeeping).
struct DpkgCollector: Collector {
    var name: String { "dpkg" }

    static let statusPath = "var/lib/dpkg/status"
    static let infoPath = "var/lib/dpkg/info"

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        guard let status = root.read(Self.statusPath) else { return }
        let packages = DpkgStatusParser.parse(status).filter { $0.state != "not-installed" }
        // On merged-/usr systems dpkg lists /bin/ls while the file the walker sees is /usr/bin/ls.
        let merged = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"].filter {
            root.linkTarget($0) == "usr/\($0)"
        }
        func add(_ path: Substring, _ package: String, conffile: Bool) {
            state.packageFiles.add(Array(path.utf8), package: package, conffile: conffile)
            for directory in merged where path.hasPrefix("/\(directory)/") {
                state.packageFiles.add(Array("/usr\(path)".utf8), package: package, conffile: conffile)
            }
        }
        let names = Set(packages.map(\.qualifiedName))
        var accounts: [String: Set<String>] = [:]
        for file in root.list(Self.infoPath) ?? [] where file.hasSuffix(".list") {
            let package = String(file.dropLast(5))
            guard names.contains(package), let list = root.read("\(Self.infoPath)/\(file)") else { continue }
            for line in TextLines.lines(list) where line.hasPrefix("/") && line != "/." {
                add(line, package, conffile: false)
                if line.hasSuffix(".conf"), line.contains("/lib/sysusers.d/") {
                    let declared = root.read(String(line.dropFirst()), limit: 1 << 20) ?? []
                    accounts[package, default: []].formUnion(MaintainerScripts.accounts(declaredIn: declared))
                }
            }
        }
        for package in packages {
            for conffile in package.conffiles { add(Substring(conffile), package.qualifiedName, conffile: true) }
        }
        let windows = DpkgLog.windows(from: root)
        let history = AptHistory.entries(from: root)
        let accountNames = MaintainerScripts.accountNames(in: root)
        for package in packages {
            var fields = [
                RecordField("manager", .text("dpkg")), RecordField("version", .text(package.version)),
                RecordField("arch", .text(package.architecture)), RecordField("status", .text(package.status)),
            ]
            var made = accounts[package.qualifiedName] ?? []
            var paths: Set<String> = []
            for script in ["preinst", "postinst"] {
                guard let text = root.read("\(Self.infoPath)/\(package.qualifiedName).\(script)", limit: 1 << 20)
                else { continue }
                made.formUnion(MaintainerScripts.accounts(namedIn: text, among: accountNames))
                paths.formUnion(MaintainerScripts.paths(namedIn: text))
            }
            if !made.isEmpty { fields.append(RecordField("accounts", .list(made.sorted()))) }
            if !paths.isEmpty {
                let kept = paths.sorted().prefix(MaintainerScripts.maximumPaths)
                fields.append(RecordField("script_paths", .list(Array(kept))))
            }
            if let window = windows["\(package.name):\(package.architecture)"] ?? windows[package.name] {
                fields.append(RecordField("activity_start", .number(window.start)))
                fields.append(RecordField("activity_end", .number(window.end)))
            }
            if let entry = history["\(package.name):\(package.architecture)"] ?? history[package.name] {
                fields.append(RecordField("apt_time", .number(entry.time)))
                if let command = entry.command { fields.append(RecordField("apt_command", .text(command))) }
                if let who = entry.requestedBy { fields.append(RecordField("apt_requested_by", .text(who))) }
            }
            state.records.append(RecordEntry(kind: .package, name: package.qualifiedName, fields: fields))
        }
        guard state.loadDigests else { return }
        for package in names.sorted() {
            guard let sums = root.read("\(Self.infoPath)/\(package).md5sums") else { continue }
            for line in TextLines.lines(sums) {
                // "<32 hex digits>  <path without the leading slash>"
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let digest = Hex.decode(Array(parts[0].utf8)), digest.count == 16 else {
                    continue
                }
                let path = "/" + TextLines.trim(parts[1])
                state.packageFiles.setExpected(.md5(digest), for: Array(path.utf8))
                for directory in merged where path.hasPrefix("/\(directory)/") {
                    state.packageFiles.setExpected(.md5(digest), for: Array("/usr\(path)".utf8))
                }
            }
        }
    }
}
