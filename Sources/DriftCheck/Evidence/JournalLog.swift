/// The systemd journal of the scanned root (`var/log/journal`, and `run/log/journal` on a live root), read through
/// this machine's `journalctl --directory` in JSON: the binary format (hashed, compressed entries) is systemd's
/// to read. Only sshd, sudo and su messages are asked for, at most ``maximumEntries`` of the newest, within
/// ``AuthLog``'s parser. No journalctl here, or no journal there: no events.
enum JournalLog {
    static let maximumEntries = 5000
    static let programs = ["sshd", "sudo", "su", "su-l"]

    static func events(in root: RootDirectory) -> [LoginEvent] {
        var directories = ["var/log/journal"]
        if root.isLiveRoot { directories.append("run/log/journal") }
        var reader = AuthLog.Reader(source: "journal")
        for directory in directories where (Self.journalFiles(directory, in: root) ?? 0) > 0 {
            let path = root.path.hasSuffix("/") ? root.path + directory : "\(root.path)/\(directory)"
            guard let output = journalctl(directory: path) else { continue }
            for line in output.split(separator: 0x0A) {
                // The program and process as the kernel told journald (`_EXE`, `_PID`), not as the sender says
                // (`SYSLOG_IDENTIFIER`, which `logger -t sudo` sets for any user): only a program installed in a
                // system directory counts.
                guard let entry = try? JSONParser.parse(Array(line)), let executable = entry["_EXE"]?.stringValue,
                    let program = Self.program(executable), let message = entry["MESSAGE"]?.stringValue,
                    let micros = entry["__REALTIME_TIMESTAMP"]?.stringValue.flatMap({ Int64($0) })
                else { continue }
                let pid = entry["_PID"]?.stringValue
                reader.add(
                    program: Substring(program), pid: pid.map { Substring($0) }, message: Substring(message),
                    time: micros / 1_000_000)
            }
        }
        return reader.events
    }

    /// The program name of an executable in a system directory (`/usr/sbin/sshd` → `sshd`), else nil.
    static func program(_ executable: String) -> String? {
        let parts = executable.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].isEmpty, let name = parts.last, programs.contains(String(name)),
            ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].contains(parts.dropLast().joined(separator: "/"))
        else { return nil }
        return String(name)
    }

    /// How many journal files (`*.journal`, `*.journal~`) `directory` and the directories in it hold (an image's
    /// empty journal directory costs no process); nil unless it holds only regular files and directories of regular
    /// files: journalctl follows links, and a link planted there could make it read this machine's journal as the
    /// root's.
    static func journalFiles(_ directory: String, in root: RootDirectory, depth: Int = 0) -> Int? {
        guard depth <= 1, let names = root.list(directory) else { return nil }
        var count = 0
        for name in names {
            let path = "\(directory)/\(name)"
            switch root.status(path)?.type {
            case .file?: if name.hasSuffix(".journal") || name.hasSuffix(".journal~") { count += 1 }
            case .dir?:
                guard let inner = journalFiles(path, in: root, depth: depth + 1) else { return nil }
                count += inner
            default: return nil
            }
        }
        return count
    }

    /// journalctl's JSON lines for the programs, newest ``maximumEntries``, oldest first; nil when it cannot run.
    static func journalctl(directory: String) -> [UInt8]? {
        let matches = programs.map { "_COMM=\($0)" }
        for executable in ["/usr/bin/journalctl", "/bin/journalctl"] {
            if let output = Subprocess.output(
                executable,
                ["--directory=\(directory)", "--output=json", "--no-pager", "--quiet", "--lines=\(maximumEntries)"]
                    + matches, timeout: 30, limit: 64 << 20)
            {
                return output
            }
        }
        return nil
    }
}
