/// When a drifted item changed and what the host's own logs say did it, gathered offline at scan time: the
/// item's change time, and claims from apt's and dpkg's logs, wtmp, lastlog, btmp, auth.log and the journal.
/// Claims, not proof (whoever had root could have edited the logs), and reports say so; with no claim, they say
/// that too rather than guess.
package struct Evidence: Equatable, Sendable {
    /// The host side's change time (ctime), of the item or, for a record, of the newest file under it.
    package var changed: Int64?
    /// The host side's modification time, for a file.
    package var modified: Int64?
    /// What the logs say, each with the log it comes from.
    package var claims: [Claim] = []

    package struct Claim: Equatable, Sendable {
        /// The log: "apt history", "dpkg.log", "wtmp", "auth.log" …
        package var source: String
        /// "`apt-get install tcpdump` requested by admin (1000) at 10:05".
        package var text: String
    }

    /// The label every report puts beside the claims.
    package static let label = "claims from the host's own logs"

    /// One sentence: "changed 2026-11-28 10:02 UTC; sudo `/usr/bin/vi /etc/ssh/sshd_config` by admin at 10:02
    /// (auth.log); ssh session of admin from 10.0.0.5 10:00–10:31 (wtmp) — claims from the host's own logs".
    package var summary: String {
        var parts: [String] = []
        if let changed {
            parts.append("changed \(Self.minute(changed)) UTC")
        } else {
            parts.append("change time not recorded")
        }
        if claims.isEmpty {
            parts.append("the host's logs name no login, sudo command or package operation around then")
            return parts.joined(separator: "; ")
        }
        parts += claims.map { "\($0.text) (\($0.source))" }
        return parts.joined(separator: "; ") + " — \(Self.label)"
    }

    /// "2026-11-28 10:02".
    static func minute(_ seconds: Int64) -> String {
        let text = UTCTime.format(Int(seconds))
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5))
    }

    /// "10:02", or the full minute when `seconds` falls on another day than `day`.
    static func clock(_ seconds: Int64, sameDayAs day: Int64?) -> String {
        let text = minute(seconds)
        guard let day, minute(day).prefix(10) == text.prefix(10) else { return text }
        return String(text.suffix(5))
    }
}
