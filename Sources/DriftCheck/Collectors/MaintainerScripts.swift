/// What a package's maintainer scripts (`preinst`, `postinst`) make for it, by what they name: the account names
/// on the host that they name when they call adduser, useradd, addgroup, groupadd or systemd-sysusers (and those its
/// sysusers.d files declare), and the paths under /etc, /var, /srv, /opt and /usr/local they name literally. The
/// evidence that puts a package's system user and the files its scripts leave behind under the package in a report.
/// Scripts are scanned as bytes, once each.
enum MaintainerScripts {
    static let accountCommands = ["adduser", "useradd", "addgroup", "groupadd", "systemd-sysusers"].map {
        Array($0.utf8)
    }
    /// Where maintainer scripts make files for a package: the paths under these it names are evidence.
    static let madePathPrefixes = ["/etc/", "/var/", "/srv/", "/opt/", "/usr/local/"].map { Array($0.utf8) }
    static let maximumPaths = 64
    /// The accounts every image has: never made by a package's script.
    static let baseAccounts: Set<String> = [
        "root", "daemon", "bin", "sys", "adm", "nogroup", "nobody", "users", "staff",
    ]

    /// Options of the account commands that take a value (the next word), which is never the account's name.
    static let optionsWithValues: Set<String> = [
        "--home", "--shell", "--ingroup", "--gecos", "--comment", "--uid", "--gid", "--firstuid", "--lastuid",
        "--firstgid", "--lastgid", "--conf", "--key", "--add-extra-groups", "-b", "-c", "-d", "-e", "-f", "-g", "-G",
        "-k", "-K", "-p", "-R", "-P", "-s", "-u", "-Z", "--base-dir", "--home-dir", "--expiredate", "--inactive",
        "--groups", "--skel", "--password", "--root", "--prefix", "--selinux-user",
    ]

    /// Names of `accounts` (the host's users and groups) that `script` gives as the account argument of an adduser,
    /// useradd, addgroup or groupadd command (continued lines joined; options and their values skipped; literal
    /// names only), or declares in sysusers.d syntax when it runs systemd-sysusers.
    static func accounts(namedIn script: [UInt8], among accounts: Set<String>) -> Set<String> {
        guard accountCommands.contains(where: { script.contains(bytes: $0) }) else { return [] }
        let text = String(decoding: script, as: UTF8.self).replacing("\\\n", with: " ")
        var found: Set<String> = []
        let separators: Set<Character> = ["\n", ";", "|", "&", "(", ")", "`", "{", "}"]
        for segment in text.split(whereSeparator: { separators.contains($0) }) {
            let words = TextLines.words(segment)
            guard
                let command = words.firstIndex(where: { word in
                    let name = word.split(separator: "/").last.map(String.init) ?? ""
                    return ["adduser", "useradd", "addgroup", "groupadd"].contains(name)
                })
            else { continue }
            var index = command + 1
            while index < words.count {
                let word = words[index]
                index += 1
                if word.hasPrefix(">") || word.hasPrefix("<") || word.hasPrefix("2>") { break }
                if word.hasPrefix("-") {
                    if !word.contains("="), optionsWithValues.contains(String(word)) { index += 1 }
                    continue
                }
                let name = String(word.filter { $0 != "\"" && $0 != "'" })
                if accounts.contains(name) { found.insert(name) }
            }
        }
        if script.contains(bytes: Array("systemd-sysusers".utf8)) {
            found.formUnion(Self.accounts(declaredIn: script).intersection(accounts))
        }
        return found.subtracting(baseAccounts)
    }

    /// The absolute paths under ``madePathPrefixes`` that `script` names literally (no variables, no globs).
    static func paths(namedIn script: [UInt8]) -> Set<String> {
        var found: Set<String> = []
        var index = 0
        while index < script.count, found.count < maximumPaths {
            defer { index += 1 }
            guard script[index] == UInt8(ascii: "/"), index == 0 || !isPathByte(script[index - 1]),
                madePathPrefixes.contains(where: { script[index...].starts(with: $0) })
            else { continue }
            var end = index
            while end < script.count, isPathByte(script[end]) { end += 1 }
            var path = script[index..<end]
            while path.count > 1, let last = path.last, last == UInt8(ascii: "/") || last == UInt8(ascii: ".") {
                path = path.dropLast()
            }
            let text = String(decoding: path, as: UTF8.self)
            if !text.contains("//") { found.insert(text) }
            index = end
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

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
    }

    private static func isPathByte(_ byte: UInt8) -> Bool {
        isNameByte(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "@")
            || byte == UInt8(ascii: ":")
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
