/// The store's schema, as numbered migrations applied in order at start, each in one transaction, recorded in
/// `driftcheck_schema`. The same tables in both engines; only the column types differ. A migration once released
/// is never edited: a change is a new one.
struct Migration: Sendable {
    var version: Int
    var name: String
    var sqlite: [String]
    var postgresql: [String]
}

enum Migrations {
    static let all: [Migration] = [
        Migration(
            version: 1, name: "hosts, tokens, reports and incidents",
            sqlite: [
                """
                CREATE TABLE enroll_tokens (id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE,
                  created INTEGER NOT NULL, expires INTEGER, revoked INTEGER, note TEXT NOT NULL DEFAULT '')
                """,
                """
                CREATE TABLE hosts (name TEXT PRIMARY KEY, key_id TEXT NOT NULL, public_key BLOB NOT NULL,
                  enrolled INTEGER NOT NULL, token_id TEXT NOT NULL, newest INTEGER NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE reports (id INTEGER PRIMARY KEY AUTOINCREMENT,
                  host TEXT NOT NULL REFERENCES hosts(name) ON DELETE CASCADE, generated INTEGER NOT NULL,
                  received INTEGER NOT NULL, body BLOB NOT NULL, signature BLOB NOT NULL, UNIQUE (host, generated))
                """,
                """
                CREATE TABLE incidents (id INTEGER PRIMARY KEY AUTOINCREMENT, host TEXT NOT NULL,
                  time INTEGER NOT NULL, reason TEXT NOT NULL)
                """,
                "CREATE INDEX incidents_host ON incidents (host, time)",
            ],
            postgresql: [
                """
                CREATE TABLE enroll_tokens (id TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE,
                  created BIGINT NOT NULL, expires BIGINT, revoked BIGINT, note TEXT NOT NULL DEFAULT '')
                """,
                """
                CREATE TABLE hosts (name TEXT PRIMARY KEY, key_id TEXT NOT NULL, public_key BYTEA NOT NULL,
                  enrolled BIGINT NOT NULL, token_id TEXT NOT NULL, newest BIGINT NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE reports (id BIGSERIAL PRIMARY KEY,
                  host TEXT NOT NULL REFERENCES hosts(name) ON DELETE CASCADE, generated BIGINT NOT NULL,
                  received BIGINT NOT NULL, body BYTEA NOT NULL, signature BYTEA NOT NULL, UNIQUE (host, generated))
                """,
                """
                CREATE TABLE incidents (id BIGSERIAL PRIMARY KEY, host TEXT NOT NULL, time BIGINT NOT NULL,
                  reason TEXT NOT NULL)
                """,
                "CREATE INDEX incidents_host ON incidents (host, time)",
            ]),
        // pglz, PostgreSQL's default TOAST compression, took most of the server's time per push (perf, 26 KB
        // reports): lz4 where the server has it, else stored uncompressed out of line.
        Migration(
            version: 2, name: "report bodies compressed with lz4",
            sqlite: [],
            postgresql: [
                """
                DO $$ BEGIN
                  EXECUTE 'ALTER TABLE reports ALTER COLUMN body SET COMPRESSION lz4';
                EXCEPTION WHEN OTHERS THEN
                  ALTER TABLE reports ALTER COLUMN body SET STORAGE EXTERNAL;
                END $$
                """
            ]),
    ]

    /// The newest version this collector knows: a store migrated further by a newer collector is refused.
    static var newest: Int { all.map(\.version).max() ?? 0 }
}
