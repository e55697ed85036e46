import CPOSIX
import CSQLite
import JobSchedModel

/// An error from SQLite, carrying its extended result code and message.
public struct SQLiteError: Error, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public var description: String { "SQLite error \(code): \(message)" }

    /// The database file was deleted or replaced under its connection (SQLITE_READONLY_DBMOVED).
    package static let databaseMoved = SQLITE_READONLY | 4 << 8
    package var isDatabaseMoved: Bool { code == SQLiteError.databaseMoved }

    /// A transaction taken back by the server itself (SQLITE_ABORT), for `reason`.
    package static func abandoned(_ reason: String) -> SQLiteError { SQLiteError(code: SQLITE_ABORT, message: reason) }
}

/// A thin, single-threaded wrapper over one `sqlite3` connection.
package final class SQLiteDatabase {
    private let handle: OpaquePointer

    /// Process-wide settings, applied once before the first connection opens.
    private static let configured: Void = {
        _ = shim_sqlite_disable_memory_statistics()
    }()

    package init(path: String, create: Bool = true) throws(SQLiteError) {
        SQLiteDatabase.configured
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 1000)
    }

    deinit { sqlite3_close_v2(handle) }

    package func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    package func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc) }
        return Statement(handle: stmt, database: self)
    }

    /// The first column of the first row of `sql`, for pragmas and counts.
    package func scalar(_ sql: String) throws(SQLiteError) -> Statement.Value {
        let statement = try prepare(sql)
        guard try statement.step() else { return .null }
        return statement.value(at: 0)
    }

    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// Rows the last INSERT, UPDATE or DELETE changed.
    package var changes: Int { Int(sqlite3_changes(handle)) }

    /// Frames in the write-ahead log after the last commit; kept only once
    /// `takeOverCheckpoints()` has been called.
    package private(set) var walFrames = 0

    /// Stops SQLite's own checkpoints, which run inside the commit that
    /// crosses 1000 frames and wait there for fsync: the owner reads
    /// `walFrames` after its commits and checkpoints when and where it likes.
    package func takeOverCheckpoints() {
        sqlite3_wal_hook(handle, { context, _, _, frames in
            Unmanaged<SQLiteDatabase>.fromOpaque(context!).takeUnretainedValue().walFrames = Int(frames)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Copies the log's committed frames into the database file, without
    /// waiting for or blocking other connections (a passive checkpoint).
    /// Returns the frames in the log and how many of them are now copied.
    package func checkpoint() throws(SQLiteError) -> (frames: Int, copied: Int) {
        var frames: Int32 = 0
        var copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
        guard rc == SQLITE_OK else { throw error(rc) }
        return (Int(frames), Int(copied))
    }

    package var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Whether the database file was deleted or replaced since it was opened
    /// (one stat): SQLite would go on writing to the open file, and every
    /// commit would be lost with it.
    package var fileHasMoved: Bool {
        var moved: Int32 = 0
        return sqlite3_file_control(handle, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved != 0
    }

    /// SQLite's message, and for an I/O error the system's reason, which
    /// SQLite leaves out ("disk I/O error" for a full file-size limit, say).
    fileprivate func error(_ rc: Int32) -> SQLiteError {
        var message = String(cString: sqlite3_errmsg(handle))
        let systemError = sqlite3_system_errno(handle)
        if rc & 0xff == SQLITE_IOERR || rc & 0xff == SQLITE_FULL, systemError != 0 {
            message += " (\(String(cString: strerror(systemError))))"
        }
        return SQLiteError(code: rc, message: message)
    }
}

/// A prepared statement, kept and reused: `reset()` before binding again.
package final class Statement {
    package enum Value: Equatable {
        case null, integer(Int64), real(Double), text(String), blob([UInt8])
    }

    private let handle: OpaquePointer
    private let database: SQLiteDatabase

    fileprivate init(handle: OpaquePointer, database: SQLiteDatabase) {
        self.handle = handle
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `values` to parameters 1...n, after clearing any previous run.
    package func reset(binding values: [Value] = []) throws(SQLiteError) {
        sqlite3_reset(handle)
        // Parameters left out must not keep the values of the last run.
        if values.count < sqlite3_bind_parameter_count(handle) { sqlite3_clear_bindings(handle) }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
            case .real(let v): rc = sqlite3_bind_double(handle, index, v)
            case .text(var v):
                // The UTF-8 bytes in place, with their length: no C string copy, no strlen.
                rc = v.isEmpty ? sqlite3_bind_text(handle, index, "", 0, shim_sqlite_transient())
                    : v.withUTF8 { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), shim_sqlite_transient()) }
            case .blob(let bytes):
                // No bytes: a zero-length blob, not the NULL a nil pointer would bind.
                rc = bytes.isEmpty ? sqlite3_bind_zeroblob(handle, index, 0)
                    : bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), shim_sqlite_transient()) }
            }
            guard rc == SQLITE_OK else { throw database.error(rc) }
        }
    }

    /// Advances to the next row; false when done.
    package func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            sqlite3_reset(handle)
            throw database.error(rc)
        }
    }

    /// Runs a statement that returns no rows.
    package func run(_ values: [Value] = []) throws(SQLiteError) {
        try reset(binding: values)
        while try step() {}
    }

    /// How many columns each row has.
    package var columnCount: Int32 { sqlite3_column_count(handle) }

    package func value(at column: Int32) -> Value {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_NULL: return .null
        case SQLITE_BLOB: return .blob(bytes(at: column) ?? [])
        default: return .text(String(cString: sqlite3_column_text(handle, column)))
        }
    }

    package func int(at column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    package func double(at column: Int32) -> Double? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_double(handle, column)
    }

    /// A blob's bytes; nil for NULL.
    package func bytes(at column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let start = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }

    package func text(at column: Int32) -> String? {
        guard let chars = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: chars)
    }
}
