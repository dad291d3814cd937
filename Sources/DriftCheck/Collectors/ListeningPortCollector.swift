import Glibc

/// Listening TCP and bound UDP sockets of the running system, from `/proc/net/{tcp,tcp6,udp,udp6}`, with the
/// owning process's name where `/proc/PID/fd` is readable. Live-only: runs only when the scanned root is the running
/// system's `/`. An image baseline has no ports, so `compare` checks port items against an allowlist (see README).
///
/// Records: `{"kind":"port","name":"tcp/0.0.0.0:22","process":"sshd"}`.
struct ListeningPortCollector: Collector {
    var name: String { "ports" }

    /// One socket line of /proc/net/*: the `protocol/address:port` name and the socket inode, when listening.
    static func parse(_ line: Substring, protocol name: String) -> (name: String, inode: String)? {
        let words = TextLines.words(line)
        guard words.count >= 10, words[0].hasSuffix(":") else { return nil }
        let listening = name.hasPrefix("tcp") ? words[3] == "0A" : words[3] == "07"
        guard listening, let (address, port) = decodeAddress(words[1]) else { return nil }
        if name.hasPrefix("udp"), let (_, remotePort) = decodeAddress(words[2]), remotePort != 0 { return nil }
        return ("\(name.hasPrefix("tcp") ? "tcp" : "udp")/\(address):\(port)", String(words[9]))
    }

    /// Decodes "0100007F:0016" (IPv4, host byte order per 32-bit word) or the 32-hex-digit IPv6 form.
    static func decodeAddress(_ text: Substring) -> (String, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1], radix: 16),
            let raw = Hex.decode(Array(parts[0].lowercased().utf8))
        else { return nil }
        if raw.count == 4 {
            return (raw.reversed().map(String.init).joined(separator: "."), port)
        }
        guard raw.count == 16 else { return nil }
        var bytes: [UInt8] = []
        for word in stride(from: 0, to: 16, by: 4) { bytes += raw[word..<word + 4].reversed() }
        var groups: [String] = []
        for index in stride(from: 0, to: 16, by: 2) {
            groups.append(String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16))
        }
        return ("[" + groups.joined(separator: ":") + "]", port)
    }

    func collect(from root: RootDirectory, into state: inout CollectedState) {
        guard root.isLiveRoot, let proc = try? RootDirectory(path: "/proc") else { return }
        var sockets: [String: String] = [:]
        // /proc/net is a symlink to self/net; the collector never follows links, so name the pid directly.
        let me = getpid()
        for name in ["tcp", "tcp6", "udp", "udp6"] {
            for line in TextLines.lines(proc.read("\(me)/net/\(name)") ?? []).dropFirst() {
                if let socket = Self.parse(line, protocol: name) { sockets[socket.inode] = socket.name }
            }
        }
        var owners: [String: String] = [:]
        for pid in proc.list("") ?? [] where pid.allSatisfy(\.isNumber) {
            for descriptor in proc.list("\(pid)/fd") ?? [] {
                guard let target = proc.linkTarget("\(pid)/fd/\(descriptor)"), target.hasPrefix("socket:[") else {
                    continue
                }
                let inode = String(target.dropFirst(8).dropLast())
                if sockets[inode] != nil, owners[inode] == nil {
                    owners[inode] = proc.read("\(pid)/comm").map { String(decoding: $0, as: UTF8.self) }?
                        .split(separator: "\n").first.map(String.init)
                }
            }
        }
        var seen = Set<String>()
        for (inode, name) in sockets.sorted(by: { $0.value < $1.value }) where seen.insert(name).inserted {
            state.records.append(
                RecordEntry(
                    kind: .port, name: name, fields: [RecordField("process", .text(owners[inode] ?? "unknown"))]))
        }
    }
}
