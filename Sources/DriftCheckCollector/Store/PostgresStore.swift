import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// The store in PostgreSQL (`--store postgresql://…`), for a fleet that outgrows one machine: several collectors
/// behind a load balancer share it. A pool of connections that reconnects by itself; an operation that cannot get
/// an answer within `timeout` fails as unavailable (HTTP 503), so hosts retry rather than wait.
final class PostgresStore: ReportStore {
    let client: PostgresClient
    private let logger: Logger
    private let timeout: Duration

    init(location: StoreLocation.Postgres, logger: Logger, timeout: Duration = .seconds(5)) {
        var configuration: PostgresClient.Configuration
        if let socket = location.socketPath {
            configuration = .init(
                unixSocketPath: socket, username: location.user, password: location.password,
                database: location.database)
        } else {
            configuration = .init(
                host: location.host, port: location.port, username: location.user, password: location.password,
                database: location.database, tls: location.requireTLS ? .require(.makeClientConfiguration()) : .disable)
        }
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.maximumConnections = 16
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.timeout = timeout
    }

    /// Runs the pool; returns when the task is cancelled.
    func run() async { await client.run() }

    /// Runs `body` within the timeout, mapping PostgreSQL's errors to the store's. The answer does not wait for a
    /// query that ignores cancellation (a connection stuck in a network partition): the caller gets "unavailable" on
    /// time, and the stuck task ends when its connection does.
    @discardableResult
    private func within<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws(StoreError) -> T {
        let timeout = self.timeout
        var timer: Task<Void, Never>? = nil
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            let work = Task {
                do {
                    once.resume(.success(try await body()))
                } catch {
                    once.resume(.failure(error))
                }
            }
            timer = Task {
                try? await Task.sleep(for: timeout)
                if once.resume(.failure(StoreError.unavailable("PostgreSQL did not answer within \(timeout)"))) {
                    work.cancel()
                }
            }
        }
        // Answered in time: the timer goes (thousands of sleeping timers would cost more than the queries).
        timer?.cancel()
        switch result {
        case .success(let value): return value
        case .failure(let error as StoreError): throw error
        case .failure(let error as PSQLError):
            // A server error with an SQLSTATE is a fault, unless the server is going away or out of room (classes
            // 08 connection, 53 resources, 57 operator intervention); no SQLSTATE: the connection itself failed.
            guard let state = error.serverInfo?[.sqlState] else {
                throw .unavailable("PostgreSQL: \(String(describing: error.code))")
            }
            let message = error.serverInfo?[.message] ?? ""
            if ["08", "53", "57"].contains(String(state.prefix(2))) {
                throw .unavailable("PostgreSQL \(state): \(message)")
            }
            throw .failed("PostgreSQL \(state): \(message)")
        case .failure(let error): throw .unavailable("PostgreSQL: \(error)")
        }
    }

    /// A continuation resumed by whichever of two tasks finishes first.
    private final class ResumeOnce<T: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Result<T, any Error>, Never>?>

        init(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
            self.continuation = Mutex(continuation)
        }

        /// Resumes with `result` unless already resumed; true when this call resumed.
        @discardableResult
        func resume(_ result: Result<T, any Error>) -> Bool {
            guard
                let continuation = self.continuation.withLock({ value in
                    defer { value = nil }; return value
                })
            else { return false }
            continuation.resume(returning: result)
            return true
        }
    }

    private static func bytes(_ buffer: ByteBuffer) -> [UInt8] { Array(buffer.readableBytesView) }

    func migrate() async throws(StoreError) -> [Int] {
        let logger = self.logger
        return try await within { [client] in
            try await client.withTransaction(logger: logger) { connection in
                // One collector migrates at a time; the others wait and find the work done.
                try await connection.query("SELECT pg_advisory_xact_lock(7262661)", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS driftcheck_schema (version INTEGER PRIMARY KEY, applied BIGINT)",
                    logger: logger)
                var present: Set<Int> = []
                for try await version in try await connection.query(
                    "SELECT version FROM driftcheck_schema", logger: logger
                ).decode(Int.self) {
                    present.insert(version)
                }
                if let newest = present.max(), newest > Migrations.newest {
                    throw StoreError.failed(
                        "the schema is at version \(newest), newer than this collector knows (\(Migrations.newest))")
                }
                var applied: [Int] = []
                for migration in Migrations.all where !present.contains(migration.version) {
                    for statement in migration.postgresql {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        """
                        INSERT INTO driftcheck_schema (version, applied)
                        VALUES (\(migration.version), extract(epoch from now())::bigint)
                        """, logger: logger)
                    applied.append(migration.version)
                }
                return applied
            }
        }
    }

    func ping() async throws(StoreError) {
        let logger = self.logger
        try await within { [client] in try await client.query("SELECT 1", logger: logger) }
    }

    private static func host(_ row: PostgresRow) throws -> EnrolledHost {
        let (name, keyID, key, enrolled, token, newest) = try row.decode(
            (String, String, ByteBuffer, Int64, String, Int64).self)
        return EnrolledHost(
            name: name, keyID: keyID, publicKey: bytes(key), enrolled: Int(enrolled), tokenID: token,
            newest: Int(newest))
    }

    func host(_ name: String) async throws(StoreError) -> EnrolledHost? {
        let logger = self.logger
        return try await within { [client] in
            for try await row in try await client.query(
                "SELECT name, key_id, public_key, enrolled, token_id, newest FROM hosts WHERE name = \(name)",
                logger: logger)
            {
                return try Self.host(row)
            }
            return nil
        }
    }

    func hosts() async throws(StoreError) -> [EnrolledHost] {
        let logger = self.logger
        return try await within { [client] in
            var found: [EnrolledHost] = []
            for try await row in try await client.query(
                "SELECT name, key_id, public_key, enrolled, token_id, newest FROM hosts ORDER BY name", logger: logger)
            {
                found.append(try Self.host(row))
            }
            return found
        }
    }

    func enroll(_ host: EnrolledHost, tokenDigest: String) async throws(StoreError) -> EnrollOutcome {
        let logger = self.logger
        return try await within { [client] in
            try await client.withTransaction(logger: logger) { connection -> EnrollOutcome in
                var token: String? = nil
                for try await id in try await connection.query(
                    """
                    SELECT id FROM enroll_tokens WHERE digest = \(tokenDigest) AND revoked IS NULL
                      AND (expires IS NULL OR expires > \(Int64(host.enrolled)))
                    """, logger: logger
                ).decode(String.self) {
                    token = id
                }
                guard let token else { return .badToken }
                // Two collectors enrolling the same name at once: the primary key decides, the loser reads the pin.
                try await connection.query(
                    """
                    INSERT INTO hosts (name, key_id, public_key, enrolled, token_id)
                    VALUES (\(host.name), \(host.keyID), \(ByteBuffer(bytes: host.publicKey)), \(Int64(host.enrolled)),
                      \(token))
                    ON CONFLICT (name) DO NOTHING
                    """, logger: logger)
                for try await pinned in try await connection.query(
                    "SELECT key_id, enrolled FROM hosts WHERE name = \(host.name)", logger: logger
                ).decode((String, Int64).self) {
                    if pinned.0 != host.keyID { return .pinnedToAnotherKey(pinned.0) }
                    return pinned.1 == Int64(host.enrolled) ? .enrolled : .alreadyEnrolled
                }
                return .enrolled
            }
        }
    }

    func forget(host: String) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await within { [client] in
            try await client.withTransaction(logger: logger) { connection -> Bool in
                try await connection.query("DELETE FROM incidents WHERE host = \(host)", logger: logger)
                var gone = false
                for try await _ in try await connection.query(
                    "DELETE FROM hosts WHERE name = \(host) RETURNING name", logger: logger)
                {
                    gone = true
                }
                return gone
            }
        }
    }

    func insert(_ report: IncomingReport, keep: Int) async throws(StoreError) -> InsertOutcome {
        let logger = self.logger
        let statement = InsertReport(
            host: report.host, keyID: report.keyID, generated: Int64(report.generated),
            received: Int64(report.received), body: ByteBuffer(bytes: report.body),
            signature: ByteBuffer(bytes: report.signature), offset: Int64(max(1, keep) - 1))
        return try await within { [client] in
            for try await (newest, pinned, id, same) in try await client.execute(statement, logger: logger) {
                guard let newest else { return InsertOutcome.unknownHost }
                guard pinned == statement.keyID else { return .pinChanged }
                if let id { return .stored(id) }
                return statement.generated == newest && same == true ? .duplicate : .replay(newest: Int(newest))
            }
            return .unknownHost
        }
    }

    /// Storing a report: one prepared statement (parsed and planned once per connection), one round trip, one
    /// implicit transaction. The host's row is locked (pushes of one host are stored one at a time, whichever
    /// collector takes them); the report is stored only when newer than the host's newest; the newest moves; the
    /// host's reports beyond the newest `keep` are deleted. Answers the newest before, the new id, and whether the
    /// report at the same time has the same bytes (a retried push).
    struct InsertReport: PostgresPreparedStatement {
        static let sql = """
            WITH host AS (SELECT newest, key_id FROM hosts WHERE name = $1 FOR UPDATE),
            stored AS (
              INSERT INTO reports (host, generated, received, body, signature)
              SELECT $1, $2, $3, $4, $5 FROM host WHERE host.newest < $2 AND host.key_id = $7
              RETURNING id),
            moved AS (UPDATE hosts SET newest = $2 WHERE name = $1 AND EXISTS (SELECT 1 FROM stored)),
            pruned AS (
              DELETE FROM reports WHERE host = $1 AND EXISTS (SELECT 1 FROM stored)
                AND generated <= (SELECT generated FROM reports WHERE host = $1
                  ORDER BY generated DESC OFFSET $6 LIMIT 1))
            SELECT (SELECT newest FROM host), (SELECT key_id FROM host), (SELECT id FROM stored),
              (SELECT body = $4 FROM reports WHERE host = $1 AND generated = $2)
            """
        typealias Row = (Int64?, String?, Int64?, Bool?)

        var host: String
        /// The key the report verified with: stored only while the host is still pinned to it.
        var keyID: String
        var generated: Int64
        var received: Int64
        var body: ByteBuffer
        var signature: ByteBuffer
        /// The newest `keep` stay: the (keep - 1)th newest before this one and older go.
        var offset: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(host)
            bindings.append(generated)
            bindings.append(received)
            bindings.append(body)
            bindings.append(signature)
            bindings.append(offset)
            bindings.append(keyID)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode(Row.self)
        }
    }

    private static func stored(_ row: PostgresRow) throws -> StoredReport {
        let (id, host, generated, received, body, signature) = try row.decode(
            (Int64, String, Int64, Int64, ByteBuffer, ByteBuffer).self)
        return StoredReport(
            id: id, host: host, generated: Int(generated), received: Int(received), body: bytes(body),
            signature: bytes(signature))
    }

    func reports(after id: Int64, limit: Int) async throws(StoreError) -> [StoredReport] {
        let logger = self.logger
        return try await within { [client] in
            var found: [StoredReport] = []
            for try await row in try await client.query(
                """
                SELECT id, host, generated, received, body, signature FROM reports WHERE id > \(id)
                ORDER BY id LIMIT \(Int64(limit))
                """, logger: logger)
            {
                found.append(try Self.stored(row))
            }
            return found
        }
    }

    func history(of host: String) async throws(StoreError) -> [ReportSummary] {
        let logger = self.logger
        return try await within { [client] in
            var found: [ReportSummary] = []
            for try await (id, generated, received, size) in try await client.query(
                """
                SELECT id, generated, received, length(body)::bigint FROM reports WHERE host = \(host)
                ORDER BY generated DESC
                """, logger: logger
            ).decode((Int64, Int64, Int64, Int64).self) {
                found.append(
                    ReportSummary(id: id, generated: Int(generated), received: Int(received), size: Int(size)))
            }
            return found
        }
    }

    func report(_ id: Int64, of host: String) async throws(StoreError) -> StoredReport? {
        let logger = self.logger
        return try await within { [client] in
            for try await row in try await client.query(
                """
                SELECT id, host, generated, received, body, signature FROM reports
                WHERE id = \(id) AND host = \(host)
                """, logger: logger)
            {
                return try Self.stored(row)
            }
            return nil
        }
    }

    func raise(_ incident: Incident, quiet: Int) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await within { [client] in
            var recorded = false
            for try await _ in try await client.query(
                """
                INSERT INTO incidents (host, time, reason)
                SELECT \(incident.host), \(Int64(incident.time)), \(incident.reason)
                WHERE NOT EXISTS (SELECT 1 FROM incidents WHERE host = \(incident.host)
                  AND time > \(Int64(incident.time - quiet)))
                RETURNING id
                """, logger: logger)
            {
                recorded = true
            }
            return recorded
        }
    }

    func incidents(after id: Int64) async throws(StoreError) -> [Incident] {
        let logger = self.logger
        return try await within { [client] in
            var found: [Incident] = []
            for try await (id, host, time, reason) in try await client.query(
                "SELECT id, host, time, reason FROM incidents WHERE id > \(id) ORDER BY id", logger: logger
            ).decode((Int64, String, Int64, String).self) {
                found.append(Incident(id: id, host: host, time: Int(time), reason: reason))
            }
            return found
        }
    }

    func addToken(_ token: EnrollmentToken, digest: String) async throws(StoreError) {
        let logger = self.logger
        try await within { [client] in
            try await client.query(
                """
                INSERT INTO enroll_tokens (id, digest, created, expires, revoked, note)
                VALUES (\(token.id), \(digest), \(Int64(token.created)), \(token.expires.map(Int64.init)),
                  \(token.revoked.map(Int64.init)), \(token.note))
                """, logger: logger)
        }
    }

    func importHost(_ host: EnrolledHost) async throws(StoreError) {
        let logger = self.logger
        try await within { [client] in
            try await client.query(
                """
                INSERT INTO hosts (name, key_id, public_key, enrolled, token_id)
                VALUES (\(host.name), \(host.keyID), \(ByteBuffer(bytes: host.publicKey)), \(Int64(host.enrolled)),
                  \(host.tokenID))
                """, logger: logger)
        }
    }

    func importIncident(_ incident: Incident) async throws(StoreError) {
        let logger = self.logger
        try await within { [client] in
            try await client.query(
                """
                INSERT INTO incidents (host, time, reason)
                VALUES (\(incident.host), \(Int64(incident.time)), \(incident.reason))
                """, logger: logger)
        }
    }

    func tokens() async throws(StoreError) -> [EnrollmentToken] {
        let logger = self.logger
        return try await within { [client] in
            var found: [EnrollmentToken] = []
            for try await (id, created, expires, revoked, note, digest) in try await client.query(
                "SELECT id, created, expires, revoked, note, digest FROM enroll_tokens ORDER BY created, id",
                logger: logger
            ).decode((String, Int64, Int64?, Int64?, String, String).self) {
                found.append(
                    EnrollmentToken(
                        id: id, created: Int(created), expires: expires.map(Int.init), revoked: revoked.map(Int.init),
                        note: note, digest: digest))
            }
            return found
        }
    }

    func revokeToken(_ id: String, at time: Int) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await within { [client] in
            var revoked = false
            for try await _ in try await client.query(
                "UPDATE enroll_tokens SET revoked = \(Int64(time)) WHERE id = \(id) AND revoked IS NULL RETURNING id",
                logger: logger)
            {
                revoked = true
            }
            return revoked
        }
    }
}
