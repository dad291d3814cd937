/// What a bake directory applies to an image: the promoted changes of a fleet (or the changes of one host's
/// report), turned into the steps an image build runs. Built from report items (the JSON a host signed), so a
/// fleet's promote list and one host's report go through the same code.
///
/// Never baked: anything tampering-grade (critical, marked tampering, or with a critical item under it, the
/// fleet's own test), what a configuration-management tool manages, a different image, and what only a running
/// host has (ports, modules). Account databases are never copied: the account steps make them. Password hashes
/// never reach a report, so accounts are made locked.
package struct BakePlan: Sendable {
    /// The package manager whose syntax the steps use: dpkg (apt-get), rpm (dnf) or apk.
    package var manager: String?
    package var install: [PackageStep] = []
    package var remove: [String] = []
    /// Removed with their configuration files kept (dpkg's `config-files` state).
    package var deinstall: [String] = []
    package var groups: [GroupStep] = []
    package var users: [UserStep] = []
    package var files: [FileStep] = []
    package var services: [ServiceStep] = []
    /// Files to copy by hand (no content kept, or a name a script must not carry), with why.
    package var byHand: [(path: String, why: String)] = []
    /// Items left out, with why ("tampering-grade: file /usr/bin/ls modified").
    package var leftOut: [String] = []

    package struct PackageStep: Sendable {
        package var name: String
        package var version: String
        /// apt only: installed as a dependency on the host (apt-mark auto afterwards), judged by apt's command line.
        package var automatic: Bool
    }

    package struct GroupStep: Sendable {
        package var name: String
        package var gid: Int64
        package var members: [String]
    }

    package struct UserStep: Sendable {
        package var name: String
        package var uid: Int64
        package var gid: Int64
        package var home: String
        package var shell: String
        /// useradd -m: the host's home directory was made with the account.
        package var createHome: Bool
        /// usermod rather than useradd (the account exists in the image).
        package var modify: Bool
    }

    package struct FileStep: Sendable {
        package enum Action: Sendable {
            case write([UInt8])
            case link(String)
            case directory
            /// Owner and mode only.
            case attributes
            case remove
        }
        package var path: String
        package var action: Action
        /// Permission bits, never setuid or setgid (``BakePlan`` refuses those).
        package var mode: UInt32
        package var uid: Int64
        package var gid: Int64

        /// Four octal digits, for the script.
        package var modeText: String {
            let digits = String(mode, radix: 8)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }

    package struct ServiceStep: Sendable {
        package var name: String
        /// enable, disable, mask, unmask.
        package var verb: String
    }

    /// Files the account steps write; never copied.
    static let accountDatabases: Set<String> = [
        "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow", "/etc/subuid", "/etc/subgid", "/etc/passwd-",
        "/etc/group-", "/etc/shadow-", "/etc/gshadow-", "/etc/subuid-", "/etc/subgid-", "/etc/.pwd.lock",
    ]

    package init() {}

    /// The plan for report `items` (each a report's `drift` entry).
    package init(items: [JSONValue]) {
        var described: [[UInt8]: String] = [:]
        for item in items {
            guard let change = HostChange(item: item, described: &described) else { continue }
            let title = change.title
            if change.tampering {
                leftOut.append("tampering-grade, never baked: \(title)")
                continue
            }
            if let tool = change.managedBy {
                leftOut.append("managed by \(tool): \(title)")
                continue
            }
            switch change.slot.kind {
            case .package: addPackage(item, change: change)
            case .service: addService(item, change: change)
            case .user: addUser(item, change: change)
            case .group: addGroup(item, change: change)
            case .file: addFile(item)
            case .cron: break
            default:
                leftOut.append("not something an image build applies: \(title)")
                continue
            }
            // Files grouped under an owner that its own step does not make: unit files and drop-ins of a
            // service, crontabs, conffiles edited after a package's install.
            if case .array(let related)? = item["related"] {
                for child in related where child["kind"]?.stringValue == "file" {
                    let host = child["host"]
                    switch change.slot.kind {
                    // A service's links are what systemctl makes; its unit files and drop-ins are not.
                    case .service where host?["type"]?.stringValue != "symlink", .cron: addFile(child)
                    case .package
                    where child["change"]?.stringValue == "modified"
                        && host?["conffile"] == .bool(true):
                        addFile(child)
                    default: break
                    }
                }
            }
        }
    }

    private mutating func addPackage(_ item: JSONValue, change: HostChange) {
        let name = String(decoding: change.slot.name, as: UTF8.self)
        // A removed package has no host side: its manager is the baseline's.
        manager = manager ?? item["host"]?["manager"]?.stringValue ?? item["baseline"]?["manager"]?.stringValue
        guard Self.isPlainWord(name) else {
            leftOut.append("a package name a script must not carry: \(change.title)")
            return
        }
        // dpkg's "deinstall ok config-files": removed, its configuration kept (apt-get remove, not purge).
        let status = item["host"]?["status"]?.stringValue ?? ""
        switch change.slot.change {
        case "removed": remove.append(name)
        case _ where status.hasSuffix("config-files"): deinstall.append(name)
        default:
            guard let version = item["host"]?["version"]?.stringValue, Self.isPlainWord(version) else {
                leftOut.append("no version to pin: \(change.title)")
                return
            }
            let bare = name.split(separator: ":").first.map(String.init) ?? name
            let command = item["host"]?["apt_command"]?.stringValue ?? ""
            let words = Set(command.split(separator: " ").map { String($0.split(separator: "=").first ?? $0) })
            let automatic = !command.isEmpty && !words.contains(bare) && !words.contains(name)
            install.append(PackageStep(name: name, version: version, automatic: automatic))
        }
    }

    private mutating func addService(_ item: JSONValue, change: HostChange) {
        let name = String(decoding: change.slot.name, as: UTF8.self)
        guard Self.isPlainWord(name) else { return }
        let host = item["host"]
        let before = item["baseline"]
        if host?["masked"] == .bool(true) {
            services.append(ServiceStep(name: name, verb: "mask"))
            return
        }
        if before?["masked"] == .bool(true) { services.append(ServiceStep(name: name, verb: "unmask")) }
        if let enabled = host?["enabled"]?.stringValue,
            enabled != before?["enabled"]?.stringValue || before == nil
                || before == .null
        {
            services.append(ServiceStep(name: name, verb: enabled == "enabled" ? "enable" : "disable"))
        }
    }

    private mutating func addUser(_ item: JSONValue, change: HostChange) {
        let name = String(decoding: change.slot.name, as: UTF8.self)
        guard Self.isPlainWord(name), change.slot.change != "removed" else {
            if change.slot.change == "removed" { leftOut.append("accounts are not removed by a bake: \(change.title)") }
            return
        }
        guard let host = item["host"], let uid = host["uid"]?.integerValue, let gid = host["gid"]?.integerValue,
            let home = host["home"]?.stringValue, let shell = host["shell"]?.stringValue,
            Self.isPlainPath(home), Self.isPlainPath(shell)
        else {
            leftOut.append("an account without uid, gid, home and shell: \(change.title)")
            return
        }
        guard uid > 0, gid > 0 else {
            leftOut.append("an account with uid or gid 0 is root, never baked: \(change.title)")
            return
        }
        var createHome = false
        if case .array(let related)? = item["related"] {
            createHome = related.contains { $0["name"]?.stringValue == home && $0["change"]?.stringValue == "added" }
            // The account's own group, grouped under it: made before the account. A privileged group's name is
            // baked only as the account's private group (same name and id, no members): the baked account is
            // locked and its authorized keys are never baked, so it grants nothing until someone gives it
            // credentials.
            for group in related
            where group["kind"]?.stringValue == "group" && group["change"]?.stringValue != "removed" {
                guard let groupName = group["name"]?.stringValue, let groupID = group["host"]?["gid"]?.integerValue,
                    groupID > 0, Self.isPlainWord(groupName), !groups.contains(where: { $0.name == groupName })
                else { continue }
                var members: [JSONValue] = []
                if case .array(let list)? = group["host"]?["members"] { members = list }
                let isPrivate = groupName == name && groupID == gid && members.isEmpty
                if SeverityRules.privilegedGroups.contains(groupName) && !isPrivate {
                    leftOut.append("grants privilege, never baked: group \(groupName)")
                    continue
                }
                groups.append(GroupStep(name: groupName, gid: groupID, members: []))
            }
        }
        users.append(
            UserStep(
                name: name, uid: uid, gid: gid, home: home, shell: shell, createHome: createHome,
                modify: change.slot.change == "modified"))
    }

    private mutating func addGroup(_ item: JSONValue, change: HostChange) {
        let name = String(decoding: change.slot.name, as: UTF8.self)
        guard Self.isPlainWord(name), change.slot.change != "removed", let gid = item["host"]?["gid"]?.integerValue
        else { return }
        guard gid > 0, !SeverityRules.privilegedGroups.contains(name) else {
            leftOut.append("grants privilege, never baked: \(change.title)")
            return
        }
        var members: [String] = []
        if case .array(let list)? = item["host"]?["members"] { members = list.compactMap(\.stringValue) }
        groups.append(GroupStep(name: name, gid: gid, members: members.filter(Self.isPlainWord)))
    }

    private mutating func addFile(_ item: JSONValue) {
        guard let path = item["name"]?.stringValue, item["name_b64"] == nil else {
            byHand.append((item["name"]?.stringValue ?? "(a name that is not UTF-8)", "a name that is not UTF-8"))
            return
        }
        guard Self.isPlainPath(path) else {
            byHand.append((String(TerminalText.escape(Array(path.utf8))), "a name a script must not carry"))
            return
        }
        if Self.accountDatabases.contains(path) { return }
        if Self.grantsPrivilege(path) {
            byHand.append((path, "it grants privilege (sudoers, PAM, the loader, polkit, authorized keys): review it"))
            return
        }
        if files.contains(where: { step in
            if case .link = step.action { return path.hasPrefix(step.path + "/") }
            return false
        }) {
            byHand.append((path, "below a link this bake makes: a write there would land elsewhere"))
            return
        }
        if item["change"]?.stringValue == "removed" {
            files.append(FileStep(path: path, action: .remove, mode: 0, uid: 0, gid: 0))
            return
        }
        guard let host = item["host"], let modeText = host["mode"]?.stringValue, modeText.utf8.count == 4,
            modeText.allSatisfy({ ("0"..."7").contains($0) }), let mode = UInt32(modeText, radix: 8),
            let uid = host["uid"]?.integerValue, let gid = host["gid"]?.integerValue, uid >= 0, gid >= 0,
            uid <= UInt32.max, gid <= UInt32.max
        else {
            leftOut.append("no valid mode, owner and group: file \(path)")
            return
        }
        // Privilege is never baked, whatever the report rated it: no setuid or setgid bit, no capabilities.
        guard mode & 0o6000 == 0, host["caps"] == nil else {
            leftOut.append("holds setuid, setgid or capabilities, never baked: file \(path)")
            return
        }
        let fields: [String]
        if case .array(let list)? = item["fields"] { fields = list.compactMap(\.stringValue) } else { fields = [] }
        let contentChanged =
            item["change"]?.stringValue == "added" || fields.contains("content")
            || fields.contains("type") || fields.contains("target")
        switch host["type"]?.stringValue {
        case "dir":
            files.append(FileStep(path: path, action: .directory, mode: mode, uid: uid, gid: gid))
        case "symlink":
            guard let target = host["target"]?.stringValue, Self.isPlainText(target) else {
                byHand.append((path, "a link target a script must not carry"))
                return
            }
            files.append(FileStep(path: path, action: .link(target), mode: mode, uid: uid, gid: gid))
        case "file":
            if !contentChanged {
                files.append(FileStep(path: path, action: .attributes, mode: mode, uid: uid, gid: gid))
            } else if let packed = host["content_gz"]?.stringBytes.flatMap(Base64.decode),
                let content = MemoryStream.gunzip(packed, limit: ContentPolicy.sizeLimit, path: path),
                let digest = host["sha256"]?.stringValue,
                content.withUnsafeBytes({ Hex.encode(SHA256Hasher.digest($0)) }) == digest
            {
                files.append(FileStep(path: path, action: .write(content), mode: mode, uid: uid, gid: gid))
            } else {
                byHand.append(
                    (
                        path,
                        "its content is not kept, or does not match its digest (binary, secret, too large, outside the content paths)"
                    ))
            }
        default:
            byHand.append((path, "a \(host["type"]?.stringValue ?? "special") file"))
        }
    }

    /// Paths whose content grants privilege: sudoers, PAM, the dynamic loader's preload and paths, polkit, the
    /// security limits, authorized keys. Their changes go to by-hand.txt, for a person to review.
    static let privilegePaths = [
        "/etc/sudoers", "/etc/sudoers.d", "/etc/pam.d", "/etc/pam.conf", "/etc/security", "/etc/ld.so.preload",
        "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/polkit-1", "/usr/share/polkit-1", "/etc/doas.conf",
    ]

    static func grantsPrivilege(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        if path.split(separator: "/").contains(".ssh") { return true }
        return privilegePaths.contains { SeverityRules.isPath(bytes, below: $0) }
    }

    /// Letters, digits and `._+:@~-`: safe inside single quotes and as a command argument.
    static func isPlainWord(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("-")
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || "._+:@~-".unicodeScalars.contains(scalar))
            }
    }

    /// An absolute path of ``isPlainText(_:)`` characters, without `..`.
    static func isPlainPath(_ text: String) -> Bool {
        text.hasPrefix("/") && !text.contains("/../") && !text.hasSuffix("/..") && isPlainText(text)
    }

    /// Printable text without quotes or backslashes: safe inside single quotes in a shell script.
    static func isPlainText(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.value >= 0x20 && scalar.value != 0x7F && !(0x80...0x9F).contains(scalar.value) && scalar != "'"
                    && scalar != "\\" && scalar != "\u{2028}" && scalar != "\u{2029}"
            }
    }
}
