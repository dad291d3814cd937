/// Where `check --push` sends reports: `http://` or `https://`, a host name or address (IPv6 in brackets), an
/// optional port and an optional path prefix (a collector behind a proxy under /driftcheck). No credentials, query or
/// fragment: a host proves who it is by its signature, not by the URL.
package struct CollectorURL: Sendable, CustomStringConvertible {
    package var secure: Bool
    package var host: String
    package var port: UInt16
    /// The path prefix without a trailing slash ("" at the root).
    package var prefix: String

    package init(parsing text: String) throws(DriftCheckError) {
        func bad(_ why: String) -> DriftCheckError {
            DriftCheckError(.usage, "--push \(TerminalText.clean(text)): \(why)")
        }
        var rest: Substring
        if text.hasPrefix("https://") {
            secure = true
            rest = text.dropFirst("https://".count)
        } else if text.hasPrefix("http://") {
            secure = false
            rest = text.dropFirst("http://".count)
        } else {
            throw bad("not an http:// or https:// URL")
        }
        guard !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false })
        else { throw bad("contains white space or control characters") }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        guard !authority.contains("@") else { throw bad("credentials do not belong in the URL") }
        guard !rest.contains("?") && !rest.contains("#") else { throw bad("a query or fragment is not allowed") }
        var hostPart = authority
        var portPart: Substring? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw bad("an IPv6 address without its ']'") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw bad("bad port") }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw bad("no host") }
        host = String(hostPart)
        if let portPart {
            guard let value = UInt16(portPart), value > 0 else { throw bad("the port is not 1 to 65535") }
            port = value
        } else {
            port = secure ? 443 : 80
        }
        prefix = String(rest.hasSuffix("/") ? rest.dropLast() : rest)
    }

    /// The Host header's value.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return (port == (secure ? 443 : 80)) ? name : "\(name):\(port)"
    }

    package var description: String {
        "\(secure ? "https" : "http")://\(hostHeader)\(prefix)"
    }
}
