internal import CSQLite

/// A read-only SQLite database deserialized from bytes already read from the scanned root: SQLite never opens a
/// path in the root, so it cannot follow a link out of it or leave -wal/-shm files behind in an image.
final class SQLiteSnapshot {
    private let database: OpaquePointer

    /// Loads `bytes` as a database; nil when they are not one.
    init?(bytes: [UInt8]) {
        var handle: OpaquePointer? = nil
        guard sqlite3_open_v2(":memory:", &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let handle else {
            if let handle { sqlite3_close(handle) }
            return nil
        }
        guard let copy = sqlite3_malloc64(sqlite3_uint64(max(1, bytes.count))) else {
            sqlite3_close(handle)
            return nil
        }
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { copy.copyMemory(from: base, byteCount: raw.count) }
        }
        // A database in WAL mode (bytes 18-19 of the header are 2) cannot be read from memory; the in-memory copy
        // is marked as a rollback-journal database, which is what a checkpointed WAL database is.
        if bytes.count >= 100 && bytes.starts(with: Array("SQLite format 3".utf8)) {
            copy.storeBytes(of: UInt8(1), toByteOffset: 18, as: UInt8.self)
            copy.storeBytes(of: UInt8(1), toByteOffset: 19, as: UInt8.self)
        }
        let flags = UInt32(SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY)
        let size = sqlite3_int64(bytes.count)
        guard
            sqlite3_deserialize(handle, "main", copy.assumingMemoryBound(to: UInt8.self), size, size, flags)
                == SQLITE_OK
        else {
            sqlite3_close(handle)
            return nil
        }
        // The database comes from the scanned root and may be hostile: no schema-defined functions or views run
        // with trust, no writes through the schema, and every statement is cut off after a bounded amount of work
        // (a view with a recursive query could otherwise run forever).
        database = handle
        driftcheck_sqlite3_config(handle, SQLITE_DBCONFIG_DEFENSIVE, 1)
        driftcheck_sqlite3_config(handle, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0)
        sqlite3_progress_handler(
            handle, 1000,
            { budget in
                guard let remaining = budget?.assumingMemoryBound(to: Int.self) else { return 1 }
                remaining.pointee -= 1
                return remaining.pointee < 0 ? 1 : 0
            }, budget)
    }

    /// Progress-handler calls (each about 1,000 virtual machine steps) a statement may take: far more than reading
    /// every package of a real database needs.
    private let budget: UnsafeMutablePointer<Int> = {
        let pointer = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        pointer.initialize(to: 200_000)
        return pointer
    }()

    /// True when `name` is a table of the database (not a view, which would run the database's own query).
    func hasTable(_ name: String) -> Bool {
        var statement: OpaquePointer? = nil
        let query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1"
        guard sqlite3_prepare_v2(database, query, -1, &statement, nil) == SQLITE_OK, let statement else { return false }
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_text(statement, 1, name, -1, nil)
        return sqlite3_step(statement) == SQLITE_ROW
    }

    deinit {
        sqlite3_close(database)
        budget.deallocate()
    }

    /// Every row's BLOB in column `column` of a one-column query; nil when the query fails (no such table, corrupt).
    func blobs(_ query: String) -> [[UInt8]]? {
        var statement: OpaquePointer? = nil
        guard sqlite3_prepare_v2(database, query, -1, &statement, nil) == SQLITE_OK, let statement else { return nil }
        defer { sqlite3_finalize(statement) }
        var rows: [[UInt8]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return rows }
            guard step == SQLITE_ROW else { return nil }
            let count = Int(sqlite3_column_bytes(statement, 0))
            if let pointer = sqlite3_column_blob(statement, 0), count > 0 {
                rows.append(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
            } else {
                rows.append([])
            }
        }
    }

    /// Every row of a query, each column as text (nil for NULL); nil when the query fails.
    func rows(_ query: String) -> [[String?]]? {
        var statement: OpaquePointer? = nil
        guard sqlite3_prepare_v2(database, query, -1, &statement, nil) == SQLITE_OK, let statement else { return nil }
        defer { sqlite3_finalize(statement) }
        let columns = sqlite3_column_count(statement)
        var rows: [[String?]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { return rows }
            guard step == SQLITE_ROW else { return nil }
            rows.append(
                (0..<columns).map { column in
                    guard sqlite3_column_type(statement, column) != SQLITE_NULL,
                        let text = sqlite3_column_text(statement, column)
                    else { return nil }
                    let count = Int(sqlite3_column_bytes(statement, column))
                    return String(decoding: UnsafeRawBufferPointer(start: text, count: count), as: UTF8.self)
                })
        }
    }
}
