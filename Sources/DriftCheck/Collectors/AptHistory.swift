/// What apt says it did to each package, from its own log (`var/log/apt/history.log` and the logs logrotate kept of
/// it): the last transaction that installed, upgraded, downgraded or reinstalled the package, with its command line
/// and the user who asked for it (`Requested-By`, which apt writes when it runs under sudo). A claim from the host's
/// own log: reports label it so and use it to explain, never to clear anything.
///
/// Times are read in the scanned root's zone (``DpkgLog/inRootZone(_:_:)``). Credentials that a command line may
/// carry in a URL (`http://user:secret@proxy`) are cut out before anything is kept.
enum AptHistory {
    struct Entry: Equatable {
        /// Seconds since the epoch of the transaction's `Start-Date`.
        var time: Int64
        /// The command line, credentials in URLs removed, at most ``maximumCommandLength`` characters.
        var command: String?
        /// "admin (1000)".
        var requestedBy: String?
    }

    static let maximumCommandLength = 300
    static let actions: Set<String> = ["Install", "Upgrade", "Downgrade", "Reinstall"]

    /// The last entry for each package the history names, keyed by the name as apt writes it ("tcpdump:amd64") and
    /// by the bare name; empty when the root's zone cannot be told.
    static func entries(from root: RootDirectory) -> [String: Entry] {
        DpkgLog.inRootZone(root) { utc in
            var entries: [String: Entry] = [:]
            DpkgLog.forEachLog(named: "var/log/apt/history.log", in: root) { parse($0, into: &entries, utc: utc) }
            return entries
        } ?? [:]
    }

    static func parse(_ bytes: [UInt8], into entries: inout [String: Entry], utc: Bool = false) {
        var current: Entry? = nil
        var packages: [String] = []
        func finish() {
            if let current { for package in packages { entries[package] = current } }
            current = nil
            packages = []
        }
        for line in TextLines.lines(bytes) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = TextLines.trim(line[line.index(after: colon)...])
            switch key {
            case "Start-Date":
                finish()
                let words = TextLines.words(value)
                if words.count == 2, let time = DpkgLog.seconds(date: words[0], time: words[1], utc: utc) {
                    current = Entry(time: time)
                }
            case "Commandline" where current != nil:
                current?.command = redacted(String(value))
            case "Requested-By" where current != nil:
                current?.requestedBy = TerminalText.clean(String(value.prefix(100)))
            case _ where current != nil && actions.contains(String(key)):
                packages += names(in: value)
            case "End-Date":
                finish()
            default:
                continue
            }
        }
        finish()
    }

    /// The package names of an `Install:` value, "tcpdump:amd64 (4.99.3-1), libpcap0.8:amd64 (1.10.3-1, automatic)",
    /// each as written and bare.
    static func names(in value: Substring) -> [String] {
        var names: [String] = []
        var depth = 0
        var word = ""
        for character in value {
            switch character {
            case "(": depth += 1
            case ")": depth = max(0, depth - 1)
            case "," where depth == 0, " " where depth == 0:
                if !word.isEmpty { names.append(word) }
                word = ""
            default:
                if depth == 0 { word.append(character) }
            }
        }
        if !word.isEmpty { names.append(word) }
        return names.flatMap { name in
            let bare = name.split(separator: ":").first.map(String.init) ?? name
            return bare == name ? [name] : [name, bare]
        }
    }

    /// `command` with the user information of every URL cut out, cleaned of control characters and bounded.
    /// Also, for commands that sudo logged: the value of a `KEY=VALUE` word whose key names a password, token or
    /// secret (`--password=…`, `PGPASSWORD=…`), the word after `--password`, `--passwd`, `--token`, `Bearer`, `Basic` and
    /// `Token`, the password of curl's `-u user:password`, and mysql's `-pPASSWORD`.
    static func redacted(_ command: String) -> String {
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
        return String(TerminalText.clean(words.joined(separator: " ")).prefix(maximumCommandLength))
    }
}
