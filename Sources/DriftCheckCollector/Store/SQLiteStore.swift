import Dispatch

/// The store in one SQLite file (`--store sqlite:PATH`), the default: nothing else to install. Write-ahead log with
/// full sync, so that a push is acknowledged only once its report is on disk, and a killed collector leaves every
/// acknowledged report and no half-written one. One connection, used by one serial queue.
final class SQLiteStore: ReportStore, @unchecked Sendable {
    private let connection: SQLiteConnection
    private let queue = DispatchQueue(label: "driftcheck.sqlite")

    init(path: String) throws(StoreError) {
        connection = try SQLiteConnection(path: path)
        try connection.execute("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=FULL")
        try connection.execute("PRAGMA foreign_keys=ON")
    }

    /// Runs `body` on the store's queue.
    private func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(StoreError) -> T)
        async throws(StoreError) -> T
    {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            queue.async { [connection] in
                continuation.resume(returning: Result { () throws(StoreError) -> T in try body(connection) })
            }
        }
        return try result.get()
    }

    /// Runs `body` in one immediate transaction: all of it or none of it.
    private func transaction<T: Sendable>(
        _ body: @escaping @Sendable (SQLiteConnection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await run { connection throws(StoreError) in
            try connection.execute("BEGIN IMMEDIATE")
            do throws(StoreError) {
                let value = try body(connection)
                try connection.execute("COMMIT")
                return value
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    func migrate() async throws(StoreError) -> [Int] {
        try await transaction { db throws(StoreError) in
            try db.execute(
                "CREATE TABLE IF NOT EXISTS driftcheck_schema (version INTEGER PRIMARY KEY, applied INTEGER)")
            var present: Set<Int> = []
            try db.query("SELECT version FROM driftcheck_schema") { row in present.insert(Int(row.integer(0))) }
            if let newest = present.max(), newest > Migrations.newest {
                throw .failed(
                    "the schema is at version \(newest), newer than this collector knows (\(Migrations.newest))")
            }
            var applied: [Int] = []
            for migration in Migrations.all where !present.contains(migration.version) {
                for statement in migration.sqlite { try db.execute(statement) }
                try db.query(
                    "INSERT INTO driftcheck_schema (version, applied) VALUES (?1, strftime('%s','now'))",
                    [.integer(Int64(migration.version))])
                applied.append(migration.version)
            }
            return applied
        }
    }

    func ping() async throws(StoreError) {
        try await run { db throws(StoreError) in try db.query("SELECT 1") }
    }

    private static func host(_ row: SQLiteConnection.Row) -> EnrolledHost {
        EnrolledHost(
            name: row.text(0), keyID: row.text(1), publicKey: row.blob(2), enrolled: Int(row.integer(3)),
            tokenID: row.text(4), newest: Int(row.integer(5)))
    }

    private static let hostColumns = "name, key_id, public_key, enrolled, token_id, newest"

    func host(_ name: String) async throws(StoreError) -> EnrolledHost? {
        try await run { db throws(StoreError) in
            var found: EnrolledHost? = nil
            try db.query("SELECT \(Self.hostColumns) FROM hosts WHERE name = ?1", [.text(name)]) { row in
                found = Self.host(row)
            }
            return found
        }
    }

    func hosts() async throws(StoreError) -> [EnrolledHost] {
        try await run { db throws(StoreError) in
            var found: [EnrolledHost] = []
            try db.query("SELECT \(Self.hostColumns) FROM hosts ORDER BY name") { row in found.append(Self.host(row)) }
            return found
        }
    }

    func enroll(_ host: EnrolledHost, tokenDigest: String) async throws(StoreError) -> EnrollOutcome {
        try await transaction { db throws(StoreError) in
            var token: String? = nil
            try db.query(
                "SELECT id FROM enroll_tokens WHERE digest = ?1 AND revoked IS NULL AND (expires IS NULL OR expires > ?2)",
                [.text(tokenDigest), .integer(Int64(host.enrolled))]
            ) { row in token = row.text(0) }
            guard let token else { return .badToken }
            var pinned: String? = nil
            try db.query("SELECT key_id FROM hosts WHERE name = ?1", [.text(host.name)]) { row in pinned = row.text(0) }
            if let pinned { return pinned == host.keyID ? .alreadyEnrolled : .pinnedToAnotherKey(pinned) }
            try db.query(
                "INSERT INTO hosts (name, key_id, public_key, enrolled, token_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                [
                    .text(host.name), .text(host.keyID), .blob(host.publicKey), .integer(Int64(host.enrolled)),
                    .text(token),
                ])
            return .enrolled
        }
    }

    func forget(host: String) async throws(StoreError) -> Bool {
        try await transaction { db throws(StoreError) in
            try db.query("DELETE FROM incidents WHERE host = ?1", [.text(host)])
            try db.query("DELETE FROM hosts WHERE name = ?1", [.text(host)])
            return db.changes > 0
        }
    }

    func insert(_ report: IncomingReport, keep: Int) async throws(StoreError) -> InsertOutcome {
        try await transaction { db throws(StoreError) in
            var newest: Int? = nil
            var pinned = ""
            try db.query("SELECT newest, key_id FROM hosts WHERE name = ?1", [.text(report.host)]) { row in
                newest = Int(row.integer(0))
                pinned = row.text(1)
            }
            guard let newest else { return .unknownHost }
            guard pinned == report.keyID else { return .pinChanged }
            if report.generated < newest { return .replay(newest: newest) }
            if report.generated == newest {
                var same = false
                try db.query(
                    "SELECT 1 FROM reports WHERE host = ?1 AND generated = ?2 AND body = ?3",
                    [.text(report.host), .integer(Int64(report.generated)), .blob(report.body)]
                ) { _ in same = true }
                return same ? .duplicate : .replay(newest: newest)
            }
            var id: Int64 = 0
            try db.query(
                """
                INSERT INTO reports (host, generated, received, body, signature) VALUES (?1, ?2, ?3, ?4, ?5)
                RETURNING id
                """,
                [
                    .text(report.host), .integer(Int64(report.generated)), .integer(Int64(report.received)),
                    .blob(report.body), .blob(report.signature),
                ]
            ) { row in id = row.integer(0) }
            try db.query(
                "UPDATE hosts SET newest = ?2 WHERE name = ?1", [.text(report.host), .integer(Int64(report.generated))])
            try db.query(
                """
                DELETE FROM reports WHERE host = ?1 AND id NOT IN
                  (SELECT id FROM reports WHERE host = ?1 ORDER BY generated DESC LIMIT ?2)
                """, [.text(report.host), .integer(Int64(max(1, keep)))])
            return .stored(id)
        }
    }

    func reports(after id: Int64, limit: Int) async throws(StoreError) -> [StoredReport] {
        try await run { db throws(StoreError) in
            var found: [StoredReport] = []
            try db.query(
                "SELECT id, host, generated, received, body, signature FROM reports WHERE id > ?1 ORDER BY id LIMIT ?2",
                [.integer(id), .integer(Int64(limit))]
            ) { row in
                found.append(
                    StoredReport(
                        id: row.integer(0), host: row.text(1), generated: Int(row.integer(2)),
                        received: Int(row.integer(3)), body: row.blob(4), signature: row.blob(5)))
            }
            return found
        }
    }

    func history(of host: String) async throws(StoreError) -> [ReportSummary] {
        try await run { db throws(StoreError) in
            var found: [ReportSummary] = []
            try db.query(
                "SELECT id, generated, received, length(body) FROM reports WHERE host = ?1 ORDER BY generated DESC",
                [.text(host)]
            ) { row in
                found.append(
                    ReportSummary(
                        id: row.integer(0), generated: Int(row.integer(1)), received: Int(row.integer(2)),
                        size: Int(row.integer(3))))
            }
            return found
        }
    }

    func report(_ id: Int64, of host: String) async throws(StoreError) -> StoredReport? {
        try await run { db throws(StoreError) in
            var found: StoredReport? = nil
            try db.query(
                "SELECT id, host, generated, received, body, signature FROM reports WHERE id = ?1 AND host = ?2",
                [.integer(id), .text(host)]
            ) { row in
                found = StoredReport(
                    id: row.integer(0), host: row.text(1), generated: Int(row.integer(2)),
                    received: Int(row.integer(3)), body: row.blob(4), signature: row.blob(5))
            }
            return found
        }
    }

    func raise(_ incident: Incident, quiet: Int) async throws(StoreError) -> Bool {
        try await transaction { db throws(StoreError) in
            var recent = false
            try db.query(
                "SELECT 1 FROM incidents WHERE host = ?1 AND time > ?2",
                [.text(incident.host), .integer(Int64(incident.time - quiet))]
            ) { _ in recent = true }
            if recent { return false }
            try db.query(
                "INSERT INTO incidents (host, time, reason) VALUES (?1, ?2, ?3)",
                [.text(incident.host), .integer(Int64(incident.time)), .text(incident.reason)])
            return true
        }
    }

    func incidents(after id: Int64) async throws(StoreError) -> [Incident] {
        try await run { db throws(StoreError) in
            var found: [Incident] = []
            try db.query("SELECT id, host, time, reason FROM incidents WHERE id > ?1 ORDER BY id", [.integer(id)]) {
                row in
                found.append(
                    Incident(id: row.integer(0), host: row.text(1), time: Int(row.integer(2)), reason: row.text(3)))
            }
            return found
        }
    }

    func addToken(_ token: EnrollmentToken, digest: String) async throws(StoreError) {
        try await run { db throws(StoreError) in
            try db.query(
                "INSERT INTO enroll_tokens (id, digest, created, expires, revoked, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                [
                    .text(token.id), .text(digest), .integer(Int64(token.created)),
                    token.expires.map { .integer(Int64($0)) } ?? .null,
                    token.revoked.map { .integer(Int64($0)) } ?? .null, .text(token.note),
                ])
        }
    }

    func importHost(_ host: EnrolledHost) async throws(StoreError) {
        try await run { db throws(StoreError) in
            try db.query(
                "INSERT INTO hosts (name, key_id, public_key, enrolled, token_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                [
                    .text(host.name), .text(host.keyID), .blob(host.publicKey), .integer(Int64(host.enrolled)),
                    .text(host.tokenID),
                ])
        }
    }

    func importIncident(_ incident: Incident) async throws(StoreError) {
        try await run { db throws(StoreError) in
            try db.query(
                "INSERT INTO incidents (host, time, reason) VALUES (?1, ?2, ?3)",
                [.text(incident.host), .integer(Int64(incident.time)), .text(incident.reason)])
        }
    }

    func tokens() async throws(StoreError) -> [EnrollmentToken] {
        try await run { db throws(StoreError) in
            var found: [EnrollmentToken] = []
            try db.query(
                "SELECT id, created, expires, revoked, note, digest FROM enroll_tokens ORDER BY created, id"
            ) { row in
                found.append(
                    EnrollmentToken(
                        id: row.text(0), created: Int(row.integer(1)), expires: row.optionalInteger(2).map(Int.init),
                        revoked: row.optionalInteger(3).map(Int.init), note: row.text(4), digest: row.text(5)))
            }
            return found
        }
    }

    func revokeToken(_ id: String, at time: Int) async throws(StoreError) -> Bool {
        try await run { db throws(StoreError) in
            try db.query(
                "UPDATE enroll_tokens SET revoked = ?2 WHERE id = ?1 AND revoked IS NULL",
                [.text(id), .integer(Int64(time))])
            return db.changes > 0
        }
    }
}
