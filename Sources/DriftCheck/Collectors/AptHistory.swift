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
        /// The command line, secrets cut (``RedactedCommand``), at most ``RedactedCommand/maximumLength`` characters.
        var command: String?
        /// "admin (1000)".
        var requestedBy: String?
    }

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
                current?.command = RedactedCommand.text(String(value))
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
}
