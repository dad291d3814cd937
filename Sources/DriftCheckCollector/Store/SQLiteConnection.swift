internal import CSQLite

/// One SQLite connection, used by one thread at a time (``SQLiteStore``'s serial queue; hence unchecked Sendable).
final class SQLiteConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    let path: String

    init(path: String) throws(StoreError) {
        var handle: OpaquePointer? = nil
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let why = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close(handle) }
            throw .unavailable("\(path): \(why)")
        }
        self.handle = handle
        self.path = path
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite3_close(handle) }

    private var message: String { "\(path): \(String(cString: sqlite3_errmsg(handle)))" }

    /// Runs statements without parameters or rows.
    func execute(_ sql: String) throws(StoreError) {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw failure() }
    }

    private func failure() -> StoreError {
        let code = sqlite3_errcode(handle) & 0xFF
        // Busy, locked, full, I/O: the store cannot take it now; anything else is a fault.
        if [SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY].contains(code) {
            return .unavailable(message)
        }
        return .failed(message)
    }

    enum Value {
        case integer(Int64)
        case text(String)
        case blob([UInt8])
        case null
    }

    /// Runs one statement with `values` bound to ?1, ?2…; calls `row` for each row it yields.
    func query(_ sql: String, _ values: [Value] = [], row: ((Row) throws(StoreError) -> Void)? = nil)
        throws(StoreError)
    {
        var statement: OpaquePointer? = nil
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure()
        }
        defer { sqlite3_finalize(statement) }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .integer(let number): sqlite3_bind_int64(statement, index, number)
            case .text(let text):
                // With its length: a NUL inside the text is kept, never an end.
                let characters = text.utf8.map { CChar(bitPattern: $0) } + [0]
                characters.withUnsafeBufferPointer { buffer in
                    _ = sqlite3_bind_text64(
                        statement, index, buffer.baseAddress, sqlite3_uint64(buffer.count - 1),
                        driftcheck_sqlite3_transient(), UInt8(SQLITE_UTF8))
                }
            case .blob(let bytes):
                bytes.withUnsafeBytes { raw in
                    _ = sqlite3_bind_blob64(
                        statement, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), sqlite3_uint64(raw.count),
                        driftcheck_sqlite3_transient())
                }
            case .null: sqlite3_bind_null(statement, index)
            }
        }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: try row?(Row(statement: statement))
            case SQLITE_DONE: return
            default: throw failure()
            }
        }
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(handle)) }

    /// One row of a result, read by column index.
    struct Row {
        let statement: OpaquePointer

        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
        func optionalInteger(_ column: Int32) -> Int64? {
            sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : integer(column)
        }
        func text(_ column: Int32) -> String {
            guard let pointer = sqlite3_column_text(statement, column) else { return "" }
            return String(cString: pointer)
        }
        func blob(_ column: Int32) -> [UInt8] {
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
            return Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }
    }
}
