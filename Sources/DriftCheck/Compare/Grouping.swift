/// Folds file items into the package, service, account and cron items that explain them, so a report says
/// "package nano added (+37 files)" instead of 37 loose lines, and "service nginx.service enabled" instead of a new
/// symlink under `multi-user.target.wants`. Nothing is dropped: absorbed items stay listed under their parent.
/// A file item that gained setuid/setgid or capabilities is only ever absorbed by a package that changed (the package
/// manager put it there); otherwise it stays at the top, where it cannot be overlooked.
package enum Grouping {
    /// Package manager bookkeeping: reported through the package items whenever any package drifted.
    static let packageBookkeeping = [
        "/var/lib/dpkg", "/var/lib/rpm", "/usr/lib/sysimage/rpm", "/lib/apk/db", "/var/lib/apt/extended_states",
        "/var/log/dpkg.log", "/var/log/apt", "/var/cache/apt", "/var/cache/debconf", "/var/log/alternatives.log",
        "/etc/ld.so.cache", "/var/cache/ldconfig", "/var/lib/dnf", "/var/cache/dnf", "/var/log/dnf.log",
        "/var/lib/ucf", "/etc/alternatives", "/var/lib/dpkg/alternatives",
        "/var/lib/systemd/deb-systemd-helper-enabled",
        "/var/lib/systemd/deb-systemd-helper-masked",
    ]

    /// Account databases: reported through the user and group items whenever any account drifted.
    static let accountFiles = [
        "/etc/passwd", "/etc/passwd-", "/etc/shadow", "/etc/shadow-", "/etc/group", "/etc/group-", "/etc/gshadow",
        "/etc/gshadow-", "/etc/subuid", "/etc/subuid-", "/etc/subgid", "/etc/subgid-", "/etc/.pwd.lock",
        "/var/log/lastlog", "/var/log/faillog",
    ]

    static let unitDirectories = SystemdCollector.unitDirectories.map { "/" + $0 }

    /// Places that control logins, privilege, the loader, services and scheduled jobs: a file there is never put
    /// under a package by evidence (only by the package's own file list).
    static let sensitivePaths = [
        "/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/sudoers", "/etc/sudoers.d", "/etc/pam.d",
        "/etc/pam.conf", "/etc/security", "/etc/profile", "/etc/profile.d", "/etc/bash.bashrc", "/etc/environment",
        "/etc/ssh", "/etc/crontab", "/etc/cron.d", "/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly",
        "/etc/cron.monthly", "/etc/systemd", "/etc/init.d", "/etc/rc.local", "/etc/apt", "/etc/modprobe.d",
        "/etc/modules", "/etc/modules-load.d", "/etc/udev", "/etc/polkit-1", "/etc/passwd", "/etc/shadow",
        "/etc/group", "/etc/gshadow", "/root", "/home", "/usr", "/boot",
    ]

    /// True for a path in ``sensitivePaths`` (but not `/usr`, `/root`, `/home` and `/boot` as a whole, nor the
    /// account databases, which the account items speak for), or in an `.ssh` directory anywhere.
    static func isSensitive(_ path: [UInt8]) -> Bool {
        if path.split(separator: UInt8(ascii: "/")).contains(where: { $0.elementsEqual(".ssh".utf8) }) { return true }
        return displayedSensitivePaths.contains { SeverityRules.isPath(path, below: $0) }
    }

    private static let displayedSensitivePaths = sensitivePaths.filter { path in
        !["/usr", "/root", "/home", "/boot"].contains(path) && !accountFiles.contains(path)
    }

    /// True when `path` is one of the service `unit`'s own files: its unit file or an enablement link named after
    /// it, its drop-in directory and what is in it, its SysV script `/etc/init.d/NAME` or a SysV link to it.
    static func belongs(_ path: [UInt8], toService unit: String) -> Bool {
        let text = String(decoding: path, as: UTF8.self)
        let components = text.split(separator: "/")
        guard let last = components.last else { return false }
        let script = unit.hasSuffix(".service") ? String(unit.dropLast(".service".count)) : unit
        if last == unit || components.contains(Substring(unit + ".d")) { return true }
        if text == "/etc/init.d/\(script)" { return true }
        return text.hasPrefix("/etc/rc") && last.count > 3 && (last.first == "S" || last.first == "K")
            && last.dropFirst(3) == script
    }

    /// True for a home directory that is the account's own: not /, a system directory, or a shared parent.
    static func isOwnHome(_ home: String) -> Bool {
        let path = Array(home.utf8)
        guard home.hasPrefix("/"), !SeverityRules.isSystemPath(path) else { return false }
        let shared = [
            "/", "/root", "/home", "/var", "/var/lib", "/var/cache", "/var/log", "/var/spool", "/var/tmp",
            "/tmp", "/srv", "/opt", "/run", "/nonexistent", "/dev", "/proc", "/sys",
        ]
        let trimmed = home.count > 1 && home.hasSuffix("/") ? String(home.dropLast()) : home
        return !shared.contains(trimmed) && !trimmed.contains("/../") && !trimmed.hasSuffix("/..")
    }

    /// True for an account a package may make for itself: a system uid or gid (1–999), and for a user no way in
    /// (a nologin or false shell, a locked or absent password).
    static func isSystemAccount(_ item: DriftItem) -> Bool {
        guard let record = item.record else { return false }
        switch item.kind {
        case .user:
            guard let uid = record.number("uid"), (1...999).contains(uid) else { return false }
            let shell = record.text("shell") ?? ""
            let noShell = shell.isEmpty || shell.hasSuffix("/nologin") || shell.hasSuffix("/false")
            let password = record.text("password") ?? "locked"
            return noShell && ["locked", "unknown"].contains(password)
        case .group:
            guard let gid = record.number("gid") else { return false }
            return (1...999).contains(gid) && !SeverityRules.privilegedGroups.contains(item.nameText)
        default:
            return false
        }
    }

    /// The seconds in which dpkg last worked on a package, by the evidence its record carries (``DpkgLog``).
    static func activity(of item: DriftItem) -> ClosedRange<Int64>? {
        guard let record = item.record, let start = record.number("activity_start"),
            let end = record.number("activity_end"), start <= end
        else { return nil }
        return start...end
    }

    private struct Key: Hashable {
        let kind: EntryKind
        let name: String
    }

    /// Returns the items with explained file items moved under their parents, in the original order.
    package static func group(_ items: [DriftItem]) -> [DriftItem] {
        var index: [Key: Int] = [:]
        for (position, item) in items.enumerated() where item.kind != .file && item.kind != .image {
            index[Key(kind: item.kind, name: item.nameText)] = position
        }
        guard !index.isEmpty else { return items }
        let firstPackage = items.firstIndex { $0.kind == .package }
        let firstAccount = items.firstIndex { $0.kind == .user } ?? items.firstIndex { $0.kind == .group }
        var homes: [(path: [UInt8], user: Int)] = []
        var userGroups: [Key: Int] = [:]
        for (position, item) in items.enumerated() where item.kind == .user && item.change != .modified {
            // A home directory gathers what is below it, so only one of the account's own: never a system
            // directory (/etc, /usr …), / or a shared parent such as /var/lib or /home itself.
            if let home = item.record?.text("home"), Grouping.isOwnHome(home) {
                homes.append((Array(home.utf8), position))
            }
            for spool in ["/var/mail/", "/var/spool/mail/"] {
                homes.append((Array((spool + item.nameText).utf8), position))
            }
            userGroups[Key(kind: .group, name: item.nameText)] = position
        }

        /// The service item of a unit or a SysV script name ("cron" finds cron.service on a systemd host).
        func service(_ name: String) -> Int? {
            index[Key(kind: .service, name: name)] ?? index[Key(kind: .service, name: name + ".service")]
        }

        // Packages that changed, with the evidence their records carry: the accounts their maintainer scripts make
        // and the window in which dpkg last worked on them.
        let changedPackages = items.indices.filter { position in
            items[position].kind == .package && [.added, .upgraded, .downgraded].contains(items[position].change)
        }
        func packageMaking(account name: String) -> Int? {
            changedPackages.first { position in
                guard case .list(let accounts)? = items[position].record?["accounts"] else { return false }
                return accounts.contains(name)
            }
        }
        // Each changed package's evidence, read once: its dpkg window and the paths its scripts name.
        let windows = changedPackages.compactMap { position in
            Grouping.activity(of: items[position]).map { (position, $0) }
        }
        let namedPaths = changedPackages.compactMap { position -> (Int, [String])? in
            guard case .list(let paths)? = items[position].record?["script_paths"] else { return nil }
            return (position, paths)
        }
        /// The changed packages whose dpkg window holds `seconds`.
        func packagesActive(at seconds: Int64) -> [Int] {
            windows.filter { $0.1.contains(seconds) }.map(\.0)
        }
        /// The changed packages whose maintainer scripts name `path`, or a path below it (a directory they made).
        func packagesNaming(_ path: String) -> [Int] {
            namedPaths.filter { _, paths in paths.contains { $0 == path || $0.hasPrefix(path + "/") } }.map(\.0)
        }
        /// The changed package whose maintainer scripts made or changed the file `item`, by dpkg's evidence, for a
        /// file no package owns that is neither a program nor privileged nor in a place that controls logins,
        /// sudo, the loader, services or jobs (``sensitivePaths``): an added file its scripts name (inside its
        /// dpkg window when the log has one), or an added one below high that only this package's window holds
        /// (its inode's ctime, which no tool sets back); a modified one needs both the name and the window.
        func packageMaking(file item: DriftItem, path text: String) -> Int? {
            guard let entry = item.hostFile, entry.package == nil, !entry.isExecutableFile, !entry.holdsPrivilege,
                !Grouping.sensitivePaths.contains(where: { SeverityRules.isPath(item.name, below: $0) })
            else { return nil }
            let active = packagesActive(at: entry.changed.seconds)
            let naming = packagesNaming(text)
            switch item.change {
            case .added:
                let named = naming.first { position in
                    active.contains(position) || !windows.contains { $0.0 == position }
                }
                if let named { return named }
                return active.count == 1 && item.severity < .high ? active[0] : nil
            case .modified:
                return naming.first(where: active.contains)
            default:
                return nil
            }
        }

        /// A link target as an absolute, normalised path (relative targets resolve against the link's directory).
        func resolve(_ target: [UInt8], from link: [UInt8]) -> [UInt8] {
            var parts: [ArraySlice<UInt8>] = []
            if target.first != UInt8(ascii: "/") {
                parts = Array(link.split(separator: UInt8(ascii: "/")).dropLast())
            }
            for part in target.split(separator: UInt8(ascii: "/")) {
                if part.elementsEqual("..".utf8) {
                    _ = parts.popLast()
                } else if !part.elementsEqual(".".utf8) {
                    parts.append(part)
                }
            }
            return parts.reduce(into: [UInt8]()) { path, part in path += [UInt8(ascii: "/")] + part }
        }

        /// The package item owning the file at `path`, when that file drifted too.
        func packageOwning(_ path: [UInt8]) -> Int? {
            guard let position = fileItems[path], let owner = items[position].fileEntry?.package else { return nil }
            return index[Key(kind: .package, name: owner)]
        }

        // Added or changed symbolic links that lead (through /etc/alternatives, say) to a file a changed package
        // installed belong to that package: update-alternatives made them in its maintainer scripts.
        var fileItems: [[UInt8]: Int] = [:]
        for (position, item) in items.enumerated() where item.kind == .file { fileItems[item.name] = position }
        func packageReached(from item: DriftItem, hops: Int = 0) -> Int? {
            guard hops < 4, let entry = item.fileEntry else { return nil }
            if let owner = entry.package, let package = index[Key(kind: .package, name: owner)] { return package }
            guard entry.type == .symlink, let target = entry.target.map({ resolve($0, from: entry.path) }) else {
                return nil
            }
            for candidate in [target, Array("/usr".utf8) + target] {
                if let next = fileItems[candidate], let package = packageReached(from: items[next], hops: hops + 1) {
                    return package
                }
            }
            return nil
        }

        func parent(of item: DriftItem) -> Int? {
            // A system account a changed package's maintainer scripts made (its user and group); never root, never
            // an account one can log in with.
            if item.kind == .user || item.kind == .group, item.change == .added, Grouping.isSystemAccount(item),
                let package = packageMaking(account: item.nameText)
            {
                return package
            }
            if item.kind == .group,
                let user = userGroups[Key(kind: .group, name: item.nameText)],
                items[user].change == item.change
            {
                return user
            }
            // A cron job or a service that a changed package installed (its crontab or unit file is the package's).
            if item.kind == .cron, item.change != .modified, let package = packageOwning(item.name) { return package }
            if item.kind == .service, item.change != .modified {
                let name = item.nameText
                for directory in unitDirectories + ["/etc/init.d"] {
                    if let package = packageOwning(Array("\(directory)/\(name)".utf8)) { return package }
                }
            }
            guard item.kind == .file else { return nil }
            let path = item.name
            let text = String(decoding: path, as: UTF8.self)
            if let package = packageReached(from: item) { return package }
            // A file a maintainer script made in a directory that a changed package itself just created.
            if item.change == .added, item.severity != .critical, item.hostFile?.isExecutableFile != true,
                !Grouping.isSensitive(path), let slash = path.lastIndex(of: UInt8(ascii: "/")),
                slash > 0, let directory = fileItems[Array(path[..<slash])], items[directory].change == .added,
                let owner = items[directory].fileEntry?.package, let package = index[Key(kind: .package, name: owner)]
            {
                return package
            }
            if SeverityRules.isPath(path, below: "/var/lib/dpkg/info"), let file = text.split(separator: "/").last,
                let dot = file.lastIndex(of: "."), let package = index[Key(kind: .package, name: String(file[..<dot]))]
            {
                return package
            }
            // Only a package that changed may absorb a critical file item (above); nothing else hides one.
            if item.severity == .critical { return nil }
            if let firstPackage, packageBookkeeping.contains(where: { SeverityRules.isPath(path, below: $0) }) {
                return firstPackage
            }
            if let firstAccount, accountFiles.contains(where: { SeverityRules.isPath(path, below: $0) }) {
                return firstAccount
            }
            if let cron = index[Key(kind: .cron, name: text)] { return cron }
            for (home, user) in homes where SeverityRules.isPath(path, below: String(decoding: home, as: UTF8.self)) {
                return user
            }
            if unitDirectories.contains(where: { SeverityRules.isPath(path, below: $0) }) {
                let components = text.split(separator: "/").map(String.init)
                for component in components.reversed() {
                    if let unit = service(component) { return unit }
                    if component.hasSuffix(".d"), let unit = service(String(component.dropLast(2))) { return unit }
                }
                if let last = components.last,
                    let suffix = [".wants", ".requires", ".upholds"].first(where: last.hasSuffix)
                {
                    let target = String(last.dropLast(suffix.count))
                    let wanting = items.indices.first { position in
                        guard items[position].kind == .service,
                            case .list(let targets)? = items[position].record?["wanted_by"]
                        else { return false }
                        return targets.contains(target)
                    }
                    if let wanting { return wanting }
                }
            }
            if text.hasPrefix("/etc/init.d/"), let unit = service(String(text.dropFirst("/etc/init.d/".count))) {
                return unit
            }
            // SysV links (update-rc.d, systemd-sysv-install): /etc/rc2.d/S01cron → ../init.d/cron belongs to cron
            // (cron.service); a link named so that leads anywhere else does not.
            if text.hasPrefix("/etc/rc"), let last = text.split(separator: "/").last, last.count > 3,
                last.first == "S" || last.first == "K", let entry = item.fileEntry, entry.type == .symlink,
                let target = entry.target,
                resolve(target, from: entry.path) == Array("/etc/init.d/\(last.dropFirst(3))".utf8),
                let unit = service(String(last.dropFirst(3)))
            {
                return unit
            }
            if let package = packageMaking(file: item, path: text) { return package }
            return nil
        }

        var parents: [Int?] = items.map(parent(of:))
        // Only top-level items are parents: an item whose parent is itself grouped goes under that item's parent
        // (a package's system group, under its user, under the package).
        for position in parents.indices {
            var hops = 0
            while let parent = parents[position], let grandparent = parents[parent], hops < 8 {
                parents[position] = grandparent == position ? nil : grandparent
                hops += 1
            }
            if let parent = parents[position], parents[parent] != nil { parents[position] = nil }
        }
        var result = items
        for (position, parent) in parents.enumerated() {
            if let parent { result[parent].related.append(items[position]) }
        }
        return result.enumerated().filter { parents[$0.offset] == nil }.map(\.element)
    }
}
