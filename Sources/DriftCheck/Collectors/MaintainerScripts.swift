/// What a package's maintainer scripts (`preinst`, `postinst`) make for it, by what they name: the account names
/// on the host that they name when they call adduser, useradd, addgroup, groupadd or systemd-sysusers (and those its
/// sysusers.d files declare), and the paths under /etc, /var, /srv, /opt and /usr/local they name literally. The
/// evidence that puts a package's system user and the files its scripts leave behind under the package in a report.
enum MaintainerScripts {
    static let accountCommands = ["adduser", "useradd", "addgroup", "groupadd", "systemd-sysusers"]

    /// Names of `accounts` (the host's users and groups) that `script` names, when it makes accounts at all.
    static func accounts(namedIn script: [UInt8], among accounts: Set<String>) -> Set<String> {
        let text = String(decoding: script, as: UTF8.self)
        guard accountCommands.contains(where: text.contains) else { return [] }
        var found: Set<String> = []
        for word in text.split(whereSeparator: { !isNameCharacter($0) }) where accounts.contains(String(word)) {
            found.insert(String(word))
        }
        // The accounts every image has are never made by a package's script.
        return found.subtracting(["root", "daemon", "bin", "sys", "adm", "nogroup", "nobody", "users", "staff"])
    }

    /// Where maintainer scripts make files for a package: the paths under these it names are evidence.
    static let madePathPrefixes = ["/etc/", "/var/", "/srv/", "/opt/", "/usr/local/"]
    static let maximumPaths = 64

    /// The absolute paths under ``madePathPrefixes`` that `script` names literally (no variables, no globs).
    static func paths(namedIn script: [UInt8]) -> Set<String> {
        let text = String(decoding: script, as: UTF8.self)
        var found: Set<String> = []
        let words = text.split { character in
            !(character.isASCII && (character.isLetter || character.isNumber || "_./+@:-".contains(character)))
        }
        for word in words where word.hasPrefix("/") && found.count < maximumPaths {
            var path = String(word)
            while path.count > 1, path.hasSuffix("/") || path.hasSuffix(".") || path.hasSuffix(":") {
                path.removeLast()
            }
            if madePathPrefixes.contains(where: { path.hasPrefix($0) }), !path.contains("//") {
                found.insert(path)
            }
        }
        return found
    }

    /// The users and groups a sysusers.d file declares (`u NAME …`, `g NAME …`, `m USER GROUP`).
    static func accounts(declaredIn sysusers: [UInt8]) -> Set<String> {
        var found: Set<String> = []
        for line in TextLines.lines(sysusers) {
            let words = TextLines.words(line)
            guard words.count >= 2, ["u", "g", "m", "u!"].contains(words[0]) else { continue }
            found.insert(String(words[1]))
            if words[0] == "m", words.count >= 3 { found.insert(String(words[2])) }
        }
        return found
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "_.-".contains(character))
    }

    /// The user and group names of the root's account databases.
    static func accountNames(in root: RootDirectory) -> Set<String> {
        var names: Set<String> = []
        for path in ["etc/passwd", "etc/group"] {
            for line in TextLines.lines(root.read(path) ?? []) {
                if let name = line.split(separator: ":", omittingEmptySubsequences: false).first, !name.isEmpty {
                    names.insert(String(name))
                }
            }
        }
        return names
    }
}
