import DriftCheck

/// Where the collector keeps its store: `sqlite:PATH`, or a PostgreSQL URL
/// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?host=SOCKET_DIRECTORY&sslmode=require]`. A password is better
/// given in the environment (`PGPASSWORD`, e.g. from a systemd EnvironmentFile) than on the command line.
enum StoreLocation: Sendable, CustomStringConvertible {
    case sqlite(String)
    case postgres(Postgres)

    struct Postgres: Sendable {
        var user = "postgres"
        var password: String?
        var host = "127.0.0.1"
        var port = 5432
        var database = "driftcheck"
        /// The server's Unix socket (from `?host=DIRECTORY`).
        var socketPath: String?
        var requireTLS = false
    }

    init(parsing text: String, environment: [String: String] = [:]) throws(DriftCheckError) {
        func bad(_ why: String) -> DriftCheckError {
            DriftCheckError(.usage, "--store: \(why) (sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE)")
        }
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw bad("no path after sqlite:") }
            self = .sqlite(path)
            return
        }
        guard let scheme = ["postgresql://", "postgres://"].first(where: text.hasPrefix) else {
            throw bad("unknown store \"\(TerminalText.clean(text))\"")
        }
        var location = Postgres()
        location.password = environment["PGPASSWORD"]
        var rest = Substring(text.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let slash = rest.firstIndex(of: "/") {
            let name = rest[rest.index(after: slash)...]
            if !name.isEmpty { location.database = Self.decode(name) }
            rest = rest[..<slash]
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                location.user = Self.decode(credentials[..<colon])
                location.password = Self.decode(credentials[credentials.index(after: colon)...])
            } else {
                location.user = Self.decode(credentials)
            }
        }
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
                throw bad("the port is not 1 to 65535")
            }
            location.port = port
            rest = rest[..<colon]
        }
        if !rest.isEmpty { location.host = String(rest.trimmingPrefix("[")).replacing("]", with: "") }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw bad("a query part without a value") }
            switch parts[0] {
            case "host": location.socketPath = "\(Self.decode(parts[1]))/.s.PGSQL.\(location.port)"
            case "sslmode": location.requireTLS = ["require", "verify-ca", "verify-full"].contains(parts[1])
            case "user": location.user = Self.decode(parts[1])
            default: throw bad("unknown parameter \(TerminalText.clean(String(parts[0])))")
            }
        }
        self = .postgres(location)
    }

    /// Percent-decoding of a URL part.
    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Without the password.
    var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location):
            "postgresql://\(location.user)@\(location.socketPath ?? "\(location.host):\(location.port)")/"
                + location.database
        }
    }
}
