/// Scheduled jobs: the system crontab, `etc/cron.d`, per-user crontabs (Debian `var/spool/cron/crontabs`, RHEL
/// `var/spool/cron`) and the `etc/cron.{hourly,daily,weekly,monthly}` scripts. A new cron job shows up as a `cron`
/// item of its own. Job lines can hold secrets, so a record keeps only how many jobs a file schedules and the
/// SHA-256 of its job lines (comments and blank lines removed, so a comment edit is not drift).
///
/// Records: `{"kind":"cron","name":"/etc/cron.d/backup","jobs":2,"sha256":"…"}`.
struct CronCollector: Collector {
    var name: String { "cron" }

    static let crontabDirectories = ["etc/cron.d", "var/spool/cron/crontabs", "var/spool/cron"]
    static let scriptDirectories = ["etc/cron.hourly", "etc/cron.daily", "etc/cron.weekly", "etc/cron.monthly"]

    /// The job and variable lines of a crontab, without comments and blank lines.
    static func jobLines(_ bytes: [UInt8]) -> [Substring] {
        TextLines.lines(bytes).map(TextLines.trim).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// Lines that schedule something (not `NAME=value` settings).
    static func isJob(_ line: Substring) -> Bool {
        guard let first = line.first else { return false }
        if first == "@" { return true }
        return first.isNumber || first == "*"
    }

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        var crontabs = ["etc/crontab"]
        for directory in Self.crontabDirectories {
            for name in root.list(directory) ?? [] where !name.hasPrefix(".") {
                let path = "\(directory)/\(name)"
                if root.status(path)?.type == .file { crontabs.append(path) }
            }
        }
        for path in crontabs {
            guard let bytes = root.read(path) else { continue }
            let lines = CronCollector.jobLines(bytes)
            let normalized = Array(lines.joined(separator: "\n").utf8)
            let digest = normalized.withUnsafeBytes { Hex.encode(SHA256Hasher.digest($0)) }
            state.records.append(
                RecordEntry(
                    kind: .cron, name: "/" + path,
                    fields: [
                        RecordField("jobs", .number(Int64(lines.filter(Self.isJob).count))),
                        RecordField("sha256", .text(digest)),
                    ]))
        }
        for directory in Self.scriptDirectories {
            for name in root.list(directory) ?? [] where !name.hasPrefix(".") && name != "placeholder" {
                let path = "\(directory)/\(name)"
                guard let digest = root.digest(path) else { continue }
                state.records.append(
                    RecordEntry(
                        kind: .cron, name: "/" + path,
                        fields: [RecordField("jobs", .number(1)), RecordField("sha256", .text(digest))]))
            }
        }
    }
}
