/// systemd units read offline from the standard unit directories under the root, with no running systemd: the
/// unit file's content digest, drop-ins, enablement from `.wants`/`.requires`/`.upholds` symlinks under
/// `etc/systemd/system`, and masks (links to /dev/null).
///
/// Records: `{"kind":"service","name":"ssh.service","manager":"systemd","enabled":"enabled",`
/// `"wanted_by":["multi-user.target"],"masked":false,"unit":"<sha256>",`
/// `"dropins":["etc/systemd/system/ssh.service.d/override.conf=<sha256>"]}`.
/// `unit` is the SHA-256 of the highest-precedence unit file, `link:NAME` for an alias, or `none` for an instance
/// or mask without a file.
struct SystemdCollector: Collector {
    var name: String { "systemd" }

    /// Unit directories, highest precedence first (systemd.unit(5), system manager).
    static let unitDirectories = [
        "etc/systemd/system", "run/systemd/system", "usr/local/lib/systemd/system", "lib/systemd/system",
        "usr/lib/systemd/system",
    ]

    static let unitSuffixes = [
        ".service", ".socket", ".timer", ".target", ".path", ".mount", ".automount", ".swap", ".slice", ".scope",
    ]

    static func isUnitName(_ name: String) -> Bool {
        unitSuffixes.contains { name.hasSuffix($0) } && !name.hasPrefix(".")
    }

    private static let dependencyDirectorySuffixes = [".wants", ".requires", ".upholds"]

    /// The template a unit instance comes from ("getty@tty1.service" → "getty@.service").
    static func template(of name: String) -> String? {
        guard let at = name.firstIndex(of: "@"), let dot = name.lastIndex(of: "."), at < dot,
            name.index(after: at) < dot
        else { return nil }
        return String(name[...at]) + String(name[dot...])
    }

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        var definitions: [String: (directory: String, kind: FileType)] = [:]
        var dropins: [String: [String]] = [:]
        var wantedBy: [String: Set<String>] = [:]
        for directory in Self.unitDirectories {
            guard let names = root.list(directory) else { continue }
            for name in names {
                let path = "\(directory)/\(name)"
                if Self.isUnitName(name) {
                    if definitions[name] == nil, let status = root.status(path), let type = status.type {
                        definitions[name] = (directory, type)
                    }
                } else if name.hasSuffix(".d"), Self.isUnitName(String(name.dropLast(2))) {
                    let unit = String(name.dropLast(2))
                    for file in root.list(path) ?? [] where file.hasSuffix(".conf") {
                        let digest =
                            root.digest("\(path)/\(file)") ?? root.linkTarget("\(path)/\(file)").map { "link:\($0)" }
                            ?? "unreadable"
                        dropins[unit, default: []].append("\(path)/\(file)=\(digest)")
                    }
                } else if directory == "etc/systemd/system",
                    let suffix = Self.dependencyDirectorySuffixes.first(where: { name.hasSuffix($0) })
                {
                    let target = String(name.dropLast(suffix.count))
                    for link in root.list(path) ?? [] where Self.isUnitName(link) {
                        wantedBy[link, default: []].insert(target)
                    }
                }
            }
        }
        let active = root.isLiveRoot ? Self.activeStates() : [:]
        let names = Set(definitions.keys).union(wantedBy.keys).union(dropins.keys)
        for name in names.sorted() {
            var masked = false
            var unit = "none"
            if let definition = definitions[name] {
                let path = "\(definition.directory)/\(name)"
                if definition.kind == .symlink, let target = root.linkTarget(path) {
                    if target == "/dev/null" {
                        masked = true
                        unit = underlyingUnit(name, root: root, below: definition.directory)
                    } else {
                        unit = "link:" + (target.split(separator: "/").last.map(String.init) ?? target)
                    }
                } else if definition.kind == .file {
                    unit = root.digest(path) ?? "unreadable"
                }
            } else if let template = Self.template(of: name), let definition = definitions[template],
                definition.kind == .file
            {
                unit = root.digest("\(definition.directory)/\(template)") ?? "unreadable"
            }
            let targets = (wantedBy[name] ?? []).sorted()
            var fields = [
                RecordField("manager", .text("systemd")),
                RecordField("enabled", .text(targets.isEmpty ? "disabled" : "enabled")),
                RecordField("wanted_by", .list(targets)), RecordField("masked", .flag(masked)),
                RecordField("unit", .text(unit)), RecordField("dropins", .list((dropins[name] ?? []).sorted())),
            ]
            if let state = active[name] { fields.append(RecordField("active", .text(state))) }
            state.records.append(RecordEntry(kind: .service, name: name, fields: fields))
        }
    }

    /// The running systemd's view, `ACTIVE/SUB` per unit ("active/running"), from `systemctl list-units`; empty
    /// when systemctl is absent or systemd is not running (a container, a chroot).
    static func activeStates() -> [String: String] {
        guard
            let output = Subprocess.output(
                "/usr/bin/systemctl", ["list-units", "--all", "--plain", "--no-legend", "--no-pager", "--full"])
                ?? Subprocess.output(
                    "/bin/systemctl", ["list-units", "--all", "--plain", "--no-legend", "--no-pager", "--full"])
        else { return [:] }
        return parseListUnits(output)
    }

    /// Parses `systemctl list-units --plain --no-legend` lines: `UNIT LOAD ACTIVE SUB DESCRIPTION…`.
    static func parseListUnits(_ output: [UInt8]) -> [String: String] {
        var states: [String: String] = [:]
        for line in TextLines.lines(output) {
            let words = TextLines.words(line)
            guard words.count >= 4, isUnitName(String(words[0])) else { continue }
            states[String(words[0])] = "\(words[2])/\(words[3])"
        }
        return states
    }

    /// The digest of the unit file a mask hides (the next definition in lower-precedence directories).
    private func underlyingUnit(_ name: String, root: RootDirectory, below directory: String) -> String {
        guard let start = Self.unitDirectories.firstIndex(of: directory) else { return "none" }
        for lower in Self.unitDirectories[(start + 1)...] {
            if let digest = root.digest("\(lower)/\(name)") { return digest }
        }
        return "none"
    }
}
