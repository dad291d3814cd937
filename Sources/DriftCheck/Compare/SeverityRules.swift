/// The built-in severity rules (the policy work will make them configurable):
/// - setuid/setgid bits or file capabilities gained → critical;
/// - anything that changed, appeared or disappeared under a system path (/etc, /usr, /bin, /sbin, /lib*, /boot)
///   → high;
/// - under volatile paths (/tmp, /var/tmp, /var/log, /var/cache, /run) → low;
/// - everything else → medium.
package enum SeverityRules {
    package static func severity(change: ChangeKind, path: [UInt8], baseline: FileEntry?, host: FileEntry?) -> Severity
    {
        if let host, gainsPrivilege(baseline: baseline, host: host) { return .critical }
        if isSystemPath(path) { return .high }
        if isVolatilePath(path) { return .low }
        return .medium
    }

    /// True when the host's object has setuid/setgid bits or capabilities that the baseline's did not.
    static func gainsPrivilege(baseline: FileEntry?, host: FileEntry) -> Bool {
        let hostSetID = host.type == .file ? host.permissions & 0o6000 : 0
        let baselineSetID = baseline.map { $0.type == .file ? $0.permissions & 0o6000 : 0 } ?? 0
        if hostSetID & ~baselineSetID != 0 { return true }
        if let capabilities = host.capabilities, capabilities != baseline?.capabilities { return true }
        return false
    }

    private static func firstComponent(_ path: [UInt8]) -> [UInt8] {
        let trimmed = path.drop { $0 == UInt8(ascii: "/") }
        return Array(trimmed.prefix { $0 != UInt8(ascii: "/") })
    }

    private static func hasPrefix(_ path: [UInt8], _ directory: String) -> Bool {
        let prefix = Array(directory.utf8)
        return path == prefix
            || (path.starts(with: prefix) && path.count > prefix.count
                && path[prefix.count] == UInt8(ascii: "/"))
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
        ["/tmp", "/var/tmp", "/var/log", "/var/cache", "/run"].contains { hasPrefix(path, $0) }
    }
}
