/// The built-in severity rules (the policy work will make them configurable).
///
/// Files: setuid/setgid bits or capabilities gained → critical; a package-owned file (not a conffile) whose content,
/// type or mode changed → critical (changed outside the package manager; grouping absorbs it when its package
/// itself changed version); anything under a system path (/etc, /usr, /bin, /sbin, /lib*, /boot) → high; under
/// volatile paths (/tmp, /var/tmp, /var/log, /var/cache, /run) → low; everything else → medium.
///
/// Records: see ``recordSeverity(_:)``.
package enum SeverityRules {
    /// Sets the item's severity (and a note when the reason is not obvious).
    package static func assess(_ item: inout DriftItem) {
        switch (item.baseline, item.host) {
        case (.record, _), (_, .record):
            item.severity = recordSeverity(item)
            if item.kind == .user, item.record?.number("uid") == 0, item.change != .removed {
                item.finding = .rootAccount
            }
        default:
            let baseline = item.baselineFile
            let host = item.hostFile
            item.severity = severity(change: item.change, path: item.name, baseline: baseline, host: host)
            if let host, gainsPrivilege(baseline: baseline, host: host) {
                item.finding = .gainedPrivilege
            } else if host?.packageCheck == .mismatch, let package = host?.package {
                item.severity = .critical
                item.finding = .packageChecksumMismatch(package: package)
            } else if let package = tamperedPackage(item, baseline: baseline, host: host) {
                // Code (an executable, a library, a module) changed outside its package manager is tampering;
                // a package's data file changed by hand is drift of the system, high.
                item.severity = isCode(baseline: baseline, host: host) ? .critical : max(item.severity, .high)
                item.finding = .changedOutsidePackageManager(package: package)
            } else if let host, host.package == nil, host.holdsPrivilege, item.change == .modified,
                item.fields.contains(anyOf: [.content, .type, .owner, .group, .target])
            {
                item.severity = .critical
                item.finding = .privilegedFileChanged
            } else if let package = editedConffile(item, baseline: baseline, host: host) {
                item.severity = max(item.severity, .high)
                item.finding = .conffileEdited(package: package)
            }
        }
    }

    package static func severity(change: ChangeKind, path: [UInt8], baseline: FileEntry?, host: FileEntry?) -> Severity
    {
        if let host, gainsPrivilege(baseline: baseline, host: host) { return .critical }
        if isSystemPath(path) { return .high }
        if isVolatilePath(path) { return .low }
        return .medium
    }

    /// A grouped item in the light of the package it is grouped under. A file of that package found "changed
    /// outside the package manager" or "conffile edited by hand" while the package itself was upgraded or
    /// downgraded: when the evidence says it changed with the package (its content verified against the package's
    /// digest, or its inode changed inside dpkg's window for the upgrade), it loses the finding and takes the
    /// severity of its path; when dpkg's window excludes it, it keeps the finding (a binary patched after the
    /// upgrade); with no evidence either way, it is high and says so (``Finding/unconfirmedPackageChange(package:)``),
    /// never explained. A policy rule's lower severity stands. Anything else is unchanged.
    static func reassess(_ item: DriftItem, under parent: DriftItem) -> DriftItem {
        let package: String
        switch item.finding {
        case .changedOutsidePackageManager(let owner)?, .conffileEdited(let owner)?: package = owner
        default: return item
        }
        guard parent.kind == .package, package == parent.nameText,
            parent.change == .upgraded || parent.change == .downgraded
        else { return item }
        let verified =
            item.hostFile?.packageCheck == .ok
            && item.fields.allSatisfy { [.file(.content), .file(.size)].contains($0) }
        var reassessed = item
        switch verified ? true : changedWithPackage(item, parent: parent) {
        case true?:
            reassessed.finding = nil
            let path = severity(change: item.change, path: item.name, baseline: item.baselineFile, host: item.hostFile)
            reassessed.severity = min(item.severity, path)
        case false?:
            break
        case nil:
            reassessed.finding = .unconfirmedPackageChange(package: package)
            reassessed.severity = min(item.severity, .high)
        }
        return reassessed
    }

    /// Whether `child`, a file of package `parent`, changed with that package's install, upgrade or downgrade:
    /// true when its inode changed (ctime, which no tool sets back) inside dpkg's window for the package, false
    /// when outside it or when `parent` is no such change of that package, nil when there is no window.
    static func changedWithPackage(_ child: DriftItem, parent: DriftItem) -> Bool? {
        guard parent.kind == .package, [.added, .upgraded, .downgraded].contains(parent.change),
            let entry = child.hostFile, entry.package == parent.nameText
        else { return false }
        guard let window = Grouping.activity(of: parent) else { return nil }
        return (window.lowerBound - 1...window.upperBound + 1).contains(entry.changed.seconds)
    }

    /// The owning package when a package-owned file that is not a conffile changed content, type or mode.
    static func tamperedPackage(_ item: DriftItem, baseline: FileEntry?, host: FileEntry?) -> String? {
        guard item.change == .modified, let baseline, let host, let package = baseline.package,
            host.package == package, !baseline.conffile, !host.conffile, host.type != .dir
        else { return nil }
        return item.fields.contains(anyOf: [.content, .type, .mode, .target, .owner, .group]) ? package : nil
    }

    /// The owning package when a package's conffile (dpkg conffile, rpm %config, apk) was edited in place:
    /// configuration drift, high, never tampering.
    static func editedConffile(_ item: DriftItem, baseline: FileEntry?, host: FileEntry?) -> String? {
        guard item.change == .modified, let baseline, let host, baseline.conffile || host.conffile,
            let package = host.package ?? baseline.package
        else { return nil }
        return item.fields.contains(anyOf: [.content, .type, .mode, .target, .owner, .group]) ? package : nil
    }

    /// True when either side is code: a regular file with an execute bit, a shared object or kernel module, or
    /// anything under the library directories.
    static func isCode(baseline: FileEntry?, host: FileEntry?) -> Bool {
        for entry in [baseline, host].compactMap({ $0 }) {
            if entry.type == .file && entry.permissions & 0o111 != 0 { return true }
            let path = entry.path
            let name = path.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? ""
            if name.hasSuffix(".so") || name.contains(".so.") || name.hasSuffix(".ko") || name.contains(".ko.") {
                return true
            }
            let libraries = [
                "/lib", "/lib32", "/lib64", "/libx32", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32",
                "/usr/libexec", "/usr/local/lib",
            ]
            if libraries.contains(where: { isPath(path, below: $0) }) { return true }
        }
        return false
    }

    /// True when the host's object has setuid/setgid bits or capabilities that the baseline's did not.
    static func gainsPrivilege(baseline: FileEntry?, host: FileEntry) -> Bool {
        let hostSetID = host.type == .file ? host.permissions & 0o6000 : 0
        let baselineSetID = baseline.map { $0.type == .file ? $0.permissions & 0o6000 : 0 } ?? 0
        if hostSetID & ~baselineSetID != 0 { return true }
        if let capabilities = host.capabilities, capabilities != baseline?.capabilities { return true }
        return false
    }

    /// Groups whose members hold root-equivalent or broad powers.
    static let privilegedGroups: Set<String> = [
        "root", "sudo", "wheel", "admin", "adm", "docker", "lxd", "libvirt", "kvm", "disk", "shadow", "systemd-journal",
    ]

    /// Packages: added, removed, downgraded or re-statused → high; upgraded → medium. Services: added, removed,
    /// enabled, disabled, masked, unmasked, unit, drop-ins or links changed → high; only the live state → medium.
    /// Users: new uid 0 →
    /// critical, other account changes → high. Groups: privileged groups → high, others → medium. Cron jobs:
    /// added or changed → high. Ports and modules: new → high.
    static func recordSeverity(_ item: DriftItem) -> Severity {
        let old: RecordEntry? = if case .record(let record)? = item.baseline { record } else { nil }
        let new: RecordEntry? = if case .record(let record)? = item.host { record } else { nil }
        switch item.kind {
        case .package:
            return item.change == .upgraded ? .medium : .high
        case .service:
            // What runs at boot: a unit added or removed, enabled, disabled, masked or unmasked, its definition,
            // drop-ins or SysV links changed. Only its live state (`active`) alone is medium.
            switch item.change {
            case .added, .removed: return .high
            default:
                return item.fields.allSatisfy { $0 == .record("active") } ? .medium : .high
            }
        case .user:
            if let uid = new?.number("uid"), uid == 0, old?.number("uid") != 0 { return .critical }
            return .high
        case .group:
            return privilegedGroups.contains(item.record?.name ?? "") ? .high : .medium
        case .cron:
            return item.change == .removed ? .medium : .high
        case .port, .module:
            switch item.change {
            case .added: return .high
            case .removed: return .low
            default: return .medium
            }
        default:
            return .medium
        }
    }

    private static func firstComponent(_ path: [UInt8]) -> [UInt8] {
        let trimmed = path.drop { $0 == UInt8(ascii: "/") }
        return Array(trimmed.prefix { $0 != UInt8(ascii: "/") })
    }

    /// True when `path` is `directory` or below it.
    package static func isPath(_ path: [UInt8], below directory: String) -> Bool {
        let prefix = Array(directory.utf8)
        return path == prefix
            || (path.starts(with: prefix) && path.count > prefix.count && path[prefix.count] == UInt8(ascii: "/"))
    }

    /// The directories an image owns: drift there is drift of the operating system itself.
    package static func isSystemPath(_ path: [UInt8]) -> Bool {
        if path == [UInt8(ascii: "/")] { return true }
        let first = firstComponent(path)
        if first.starts(with: Array("lib".utf8)) { return true }
        return ["etc", "usr", "bin", "sbin", "boot"].contains { Array($0.utf8) == first }
    }

    /// Places whose content is expected to change on a running host.
    package static func isVolatilePath(_ path: [UInt8]) -> Bool {
        ["/tmp", "/var/tmp", "/var/log", "/var/cache", "/run"].contains { isPath(path, below: $0) }
    }
}
