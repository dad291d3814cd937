import DriftCheck
import Glibc
import Logging

/// Opens the store at a location and keeps what it needs running (PostgreSQL's connection pool) while `body` works
/// with it; migrations are applied first when `migrate` is set.
enum StoreConnection {
    static func with<T: Sendable>(
        _ text: String, logger: Logger, migrate: Bool = true, _ body: @Sendable (any ReportStore) async throws -> T
    ) async throws -> T {
        let location = try StoreLocation(parsing: text, environment: Environment.variables)
        switch location {
        case .sqlite(let path):
            let store: SQLiteStore
            do {
                store = try SQLiteStore(path: path)
            } catch {
                throw DriftCheckError(.io, path: path, "\(error)")
            }
            if migrate { try await applyMigrations(store, location: location, logger: logger) }
            return try await body(store)
        case .postgres(let settings):
            let store = PostgresStore(location: settings, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                if migrate { try await applyMigrations(store, location: location, logger: logger) }
                return try await body(store)
            }
        }
    }

    /// Migrates, waiting up to 30 s for a database that is still starting.
    private static func applyMigrations(_ store: any ReportStore, location: StoreLocation, logger: Logger) async throws
    {
        var waited = 0
        while true {
            do {
                let applied = try await store.migrate()
                if !applied.isEmpty {
                    logger.notice("migrated \(location) to schema version \(applied.max() ?? 0)")
                }
                return
            } catch StoreError.unavailable(let why) where waited < 30 {
                logger.warning("waiting for the store: \(why)")
                try await Task.sleep(for: .seconds(2))
                waited += 2
            } catch {
                throw DriftCheckError(.io, path: location.description, "\(error)")
            }
        }
    }
}

/// The process environment (for PGPASSWORD).
enum Environment {
    static var variables: [String: String] {
        var found: [String: String] = [:]
        if let password = getenv("PGPASSWORD") { found["PGPASSWORD"] = String(cString: password) }
        return found
    }
}
