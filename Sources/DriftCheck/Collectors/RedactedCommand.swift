/// A command line as a log recorded it (apt's history, dnf's history, sudo's lines), made fit to keep in a
/// manifest and show in a report.
enum RedactedCommand {
    static let maximumLength = 300

    /// `command` cleaned of control characters, bounded, and with its secrets cut: the user information of every
    /// URL, the value of a `KEY=VALUE` word whose key names a password, token or secret (`--password=…`,
    /// `PGPASSWORD=…`), the word after `--password`, `--passwd`, `--token`, `Bearer`, `Basic` and `Token`, the
    /// password of curl's `-u user:password`, and mysql's `-pPASSWORD`.
    static func text(_ command: String) -> String {
        var words = command.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let program = words.first.map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? ""
        let mysql = program.hasPrefix("mysql") || program.hasPrefix("mariadb")
        var index = 0
        while index < words.count {
            let word = words[index]
            let lower = word.lowercased()
            if let equals = word.firstIndex(of: "="), equals != word.startIndex {
                let key = word[..<equals].lowercased()
                if ["pass", "token", "secret", "credential", "apikey", "api_key"].contains(where: key.contains) {
                    words[index] = String(word[...equals]) + "…"
                }
            } else if ["--password", "--passwd", "--pass", "--token", "bearer", "basic", "token", "--secret"]
                .contains(lower), index + 1 < words.count
            {
                words[index + 1] = "…"
                index += 1
            } else if word == "-u" || word == "--user", index + 1 < words.count,
                let colon = words[index + 1].firstIndex(of: ":")
            {
                words[index + 1] = String(words[index + 1][...colon]) + "…"
                index += 1
            } else if mysql, word.hasPrefix("-p"), word.count > 2 {
                words[index] = "-p…"
            }
            // A URL's user information, wherever the word has one (`Acquire::http::Proxy=http://u:p@proxy`).
            let current = words[index]
            if let scheme = current.range(of: "://"), let at = current[scheme.upperBound...].lastIndex(of: "@") {
                words[index] = String(current[..<scheme.upperBound]) + "…" + String(current[at...])
            }
            index += 1
        }
        return String(TerminalText.clean(words.joined(separator: " ")).prefix(maximumLength))
    }
}
