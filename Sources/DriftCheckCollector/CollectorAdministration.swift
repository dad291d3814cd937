import DriftCheck
import Glibc
import Logging

/// What the `driftcheck-collector` commands do, each on the store named by `--store`: serve, make and revoke
/// enrollment tokens, list and release hosts, migrate.
package enum CollectorAdministration {
    /// Serves until SIGTERM or SIGINT.
    package static func serve(
        store text: String, host: String, port: Int, keep: Int, fleet: FleetSettings, refreshSeconds: Int,
        maximumConnections: Int, readyFile: String?, logger: Logger
    ) async throws {
        var settings = CollectorSettings(fleet: fleet)
        settings.host = host
        settings.port = port
        settings.keep = keep
        settings.refreshSeconds = refreshSeconds
        settings.maximumConnections = maximumConnections
        settings.readyFile = readyFile
        try await StoreConnection.with(text, logger: logger) { [settings] store in
            try await CollectorServer.run(store: store, settings: settings, logger: logger)
        }
    }

    /// Makes a token: returns its id and the token, which is shown once and kept only as its SHA-256.
    package static func createToken(store text: String, expiresIn: Int?, note: String, logger: Logger) async throws
        -> (id: String, token: String)
    {
        guard let token = Enrollment.newToken() else { throw DriftCheckError(.io, "cannot make a random token") }
        let now = Int(time(nil))
        let id = String(Enrollment.digest(token).prefix(12))
        let record = EnrollmentToken(
            id: id, created: now, expires: expiresIn.map { now + $0 }, revoked: nil, note: note)
        try await StoreConnection.with(text, logger: logger) { store in
            try await mapped(text) { () throws(StoreError) in
                try await store.addToken(record, digest: Enrollment.digest(token))
            }
        }
        return (id, token)
    }

    /// One line per token: id, state, created, expires, note.
    package static func listTokens(store text: String, logger: Logger) async throws -> [String] {
        let now = Int(time(nil))
        return try await StoreConnection.with(text, logger: logger) { store in
            try await mapped(text) { () throws(StoreError) in try await store.tokens() }.map { token in
                let state = token.revoked != nil ? "revoked" : token.isLive(at: now) ? "live" : "expired"
                let expires = token.expires.map { UTCTime.format($0) } ?? "never"
                return "\(token.id)  \(state)  created \(UTCTime.format(token.created))  expires \(expires)  "
                    + TerminalText.clean(token.note)
            }
        }
    }

    /// Revokes a token: hosts already enrolled keep their pinned keys; new enrollments need another token.
    package static func revokeToken(store text: String, id: String, logger: Logger) async throws {
        let revoked = try await StoreConnection.with(text, logger: logger) { store in
            try await mapped(text) { () throws(StoreError) in try await store.revokeToken(id, at: Int(time(nil))) }
        }
        if !revoked { throw DriftCheckError(.usage, "no live token with id \(TerminalText.clean(id))") }
    }

    /// One line per host: name, key id, enrolled, newest report.
    package static func listHosts(store text: String, logger: Logger) async throws -> [String] {
        try await StoreConnection.with(text, logger: logger) { store in
            try await mapped(text) { () throws(StoreError) in try await store.hosts() }.map { host in
                "\(TerminalText.clean(host.name))  key \(host.keyID.prefix(16))  enrolled \(UTCTime.format(host.enrolled))"
                    + "  newest \(host.newest > 0 ? UTCTime.format(host.newest) : "none")"
            }
        }
    }

    /// Releases a host from its key, with its reports and incidents: a host rebuilt under the same name enrolls
    /// again with its new key.
    package static func forgetHost(store text: String, name: String, logger: Logger) async throws {
        let forgotten = try await StoreConnection.with(text, logger: logger) { store in
            try await mapped(text) { () throws(StoreError) in try await store.forget(host: name) }
        }
        if !forgotten { throw DriftCheckError(.usage, "no enrolled host \(TerminalText.clean(name))") }
    }

    /// Copies everything from one store to another, empty one (SQLite to PostgreSQL, when the fleet outgrows one
    /// machine): tokens as their digests, hosts with their pinned keys, every report (each verified again on the
    /// way: a report that does not verify with its host's key is not copied), incidents. Returns the counts.
    package static func copy(from source: String, to target: String, logger: Logger) async throws -> String {
        try await StoreConnection.with(source, logger: logger) { from in
            try await StoreConnection.with(target, logger: logger) { to in
                try await mapped(target) { () throws(StoreError) -> String in
                    guard try await to.hosts().isEmpty, try await to.tokens().isEmpty else {
                        throw .failed("the target already has hosts or tokens; copy only into an empty store")
                    }
                    let tokens = try await from.tokens()
                    for token in tokens { try await to.addToken(token, digest: token.digest) }
                    var keys: [String: (id: String, key: Ed25519Key?)] = [:]
                    let hosts = try await from.hosts()
                    for host in hosts {
                        try await to.importHost(host)
                        keys[host.name] = (host.keyID, try? Ed25519Key.publicKey(pem: host.publicKey))
                    }
                    var copied = 0
                    var skipped = 0
                    var after: Int64 = 0
                    while true {
                        let rows = try await from.reports(after: after, limit: 1000)
                        guard let last = rows.last else { break }
                        for row in rows {
                            guard let pinned = keys[row.host], let key = pinned.key,
                                row.body.withUnsafeBytes({ key.verify(row.signature, of: $0) })
                            else {
                                skipped += 1
                                continue
                            }
                            let incoming = IncomingReport(
                                host: row.host, keyID: pinned.id, generated: row.generated, received: row.received,
                                body: row.body, signature: row.signature)
                            if case .stored = try await to.insert(incoming, keep: Int(Int32.max)) { copied += 1 }
                        }
                        after = last.id
                    }
                    let incidents = try await from.incidents(after: 0)
                    for incident in incidents { try await to.importIncident(incident) }
                    return "copied \(tokens.count) tokens, \(hosts.count) hosts, \(copied) reports "
                        + "(\(skipped) that do not verify left out), \(incidents.count) incidents"
                }
            }
        }
    }

    /// Applies the migrations (serve does too, at start).
    package static func migrate(store text: String, logger: Logger) async throws {
        try await StoreConnection.with(text, logger: logger) { _ in }
    }

    private static func mapped<T>(_ text: String, _ body: () async throws(StoreError) -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            // Named without its password.
            let label = (try? StoreLocation(parsing: text).description) ?? "the store"
            throw DriftCheckError(.io, path: label, "\(error)")
        }
    }
}
