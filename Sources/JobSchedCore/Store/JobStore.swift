/// The jobs table in SQLite: every job's record, the only copy that survives
/// a restart.
///
/// Writes do not commit one by one. The first write after a commit opens a
/// transaction and calls `onFirstWrite`, which the server uses to schedule
/// `commit()` at the end of the current loop iteration; everything written
/// in between shares that one commit.
final class JobStore {
    static let applicationID: Int64 = 0x4A53_4344  // "JSCD"
    static let schemaVersion: Int64 = 1

    private let db: SQLiteDatabase
    private let begin: Statement
    private let commitStatement: Statement
    private let rollbackStatement: Statement
    private let insertStatement: Statement
    private let updateStatement: Statement
    private let byIDStatement: Statement
    private var queryStatements: [String: Statement] = [:]

    /// Called when a write opens a new transaction.
    var onFirstWrite: () -> Void = {}

    private static let columns =
        "id, name, grp, command, status, returncode, sync, outlog, errlog, msg, submitted, started, finished, pid"

    init(path: String, clear: Bool) throws(ServerError) {
        do {
            db = try SQLiteDatabase(path: path)
            try JobStore.prepareSchema(db, path: path)
            if clear {
                try db.execute("DELETE FROM jobs; DELETE FROM sqlite_sequence WHERE name = 'jobs';")
            }
            begin = try db.prepare("BEGIN")
            commitStatement = try db.prepare("COMMIT")
            rollbackStatement = try db.prepare("ROLLBACK")
            insertStatement = try db.prepare("""
                INSERT INTO jobs (name, grp, command, status, returncode, sync, outlog, errlog, msg, submitted, started, finished, pid)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            updateStatement = try db.prepare("""
                UPDATE jobs SET status = ?, returncode = ?, msg = ?, started = ?, finished = ?, pid = ? WHERE id = ?
                """)
            byIDStatement = try db.prepare("SELECT \(JobStore.columns) FROM jobs WHERE id = ?")
        } catch let error as SQLiteError {
            throw ServerError("cannot use database '\(path)': \(error.message)")
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError("cannot use database '\(path)': \(error)")
        }
    }

    private static func prepareSchema(_ db: SQLiteDatabase, path: String) throws -> Void {
        let mode = try db.scalar("PRAGMA journal_mode = WAL")
        guard mode == .text("wal") else {
            throw ServerError("cannot use database '\(path)': WAL journal mode unavailable")
        }
        // A crash loses nothing that was committed; only power loss can lose
        // the last commits, and commits are batched anyway.
        try db.execute("PRAGMA synchronous = NORMAL")
        let appID = try db.scalar("PRAGMA application_id")
        let version = try db.scalar("PRAGMA user_version")
        let tables = try db.scalar("SELECT count(*) FROM sqlite_master")
        if appID == .integer(0) && tables == .integer(0) {
            try db.execute("""
                BEGIN;
                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    grp TEXT NOT NULL,
                    command TEXT NOT NULL,
                    status TEXT NOT NULL,
                    returncode INTEGER,
                    sync INTEGER NOT NULL,
                    outlog TEXT,
                    errlog TEXT,
                    msg TEXT NOT NULL DEFAULT '',
                    submitted REAL NOT NULL,
                    started REAL,
                    finished REAL,
                    pid INTEGER
                );
                CREATE INDEX jobs_status ON jobs (status);
                CREATE INDEX jobs_name ON jobs (name);
                CREATE INDEX jobs_grp ON jobs (grp);
                PRAGMA application_id = \(applicationID);
                PRAGMA user_version = \(schemaVersion);
                COMMIT;
                """)
            return
        }
        guard appID == .integer(applicationID) else {
            throw ServerError("'\(path)' is not a jobsched database")
        }
        guard version == .integer(schemaVersion) else {
            throw ServerError("'\(path)' has jobsched schema version \(version), this server supports \(schemaVersion)")
        }
    }

    // MARK: Writes

    private func beginIfNeeded() throws(SQLiteError) {
        guard !db.isInTransaction else { return }
        try begin.run()
        onFirstWrite()
    }

    /// Adds a job and returns its new id; visible to readers at once, durable after `commit()`.
    func insert(_ job: Job) throws(SQLiteError) -> JobID {
        try beginIfNeeded()
        try insertStatement.run([
            .text(job.name), .text(job.group), .text(job.command), .text(job.status.rawValue),
            .init(job.returncode), .integer(job.sync ? 1 : 0), .init(job.outlog), .init(job.errlog),
            .text(job.msg), .real(job.submitted), .init(job.started), .init(job.finished), .init(job.pid),
        ])
        return db.lastInsertRowID
    }

    /// Writes a job's changing fields (status, returncode, msg, times, pid).
    func update(_ job: Job) throws(SQLiteError) {
        try beginIfNeeded()
        try updateStatement.run([
            .text(job.status.rawValue), .init(job.returncode), .text(job.msg),
            .init(job.started), .init(job.finished), .init(job.pid), .integer(job.id),
        ])
    }

    /// Marks every job a previous run left queued or running as killed.
    func killInterrupted(msg: String, at time: Double) throws(SQLiteError) -> Int {
        try beginIfNeeded()
        let statement = try db.prepare("""
            UPDATE jobs SET status = 'killed', msg = ?, finished = ? WHERE status IN ('queued', 'running')
            """)
        try statement.run([.text(msg), .real(time)])
        return Int(try db.scalar("SELECT changes()").integer ?? 0)
    }

    func commit() throws(SQLiteError) {
        guard db.isInTransaction else { return }
        do {
            try commitStatement.run()
        } catch {
            if db.isInTransaction { try? rollbackStatement.run() }
            throw error
        }
    }

    // MARK: Reads (they see uncommitted writes: same connection)

    func job(_ id: JobID) throws(SQLiteError) -> Job? {
        try byIDStatement.reset(binding: [.integer(id)])
        guard try byIDStatement.step() else { return nil }
        let job = JobStore.decode(byIDStatement)
        try byIDStatement.reset()
        return job
    }

    func jobs(matching filter: JobFilter) throws(SQLiteError) -> [Job] {
        let (clause, values) = filter.whereClause()
        let sql = "SELECT \(JobStore.columns) FROM jobs \(clause) ORDER BY id"
        let statement: Statement
        if let cached = queryStatements[sql] {
            statement = cached
        } else {
            statement = try db.prepare(sql)
            queryStatements[sql] = statement
        }
        try statement.reset(binding: values)
        var jobs: [Job] = []
        while try statement.step() { jobs.append(JobStore.decode(statement)) }
        try statement.reset()
        return jobs
    }

    private static func decode(_ row: Statement) -> Job {
        Job(id: row.int(at: 0)!,
            name: row.text(at: 1) ?? "",
            group: row.text(at: 2) ?? "",
            command: row.text(at: 3) ?? "",
            status: JobStatus(rawValue: row.text(at: 4) ?? "") ?? .failed,
            returncode: row.int(at: 5).map { Int32(truncatingIfNeeded: $0) },
            sync: row.int(at: 6) == 1,
            outlog: row.text(at: 7),
            errlog: row.text(at: 8),
            msg: row.text(at: 9) ?? "",
            submitted: row.double(at: 10) ?? 0,
            started: row.double(at: 11),
            finished: row.double(at: 12),
            pid: row.int(at: 13).map { Int32(truncatingIfNeeded: $0) })
    }
}

extension Statement.Value {
    init(_ text: String?) { self = text.map(Statement.Value.text) ?? .null }
    init<I: BinaryInteger>(_ int: I?) { self = int.map { .integer(Int64($0)) } ?? .null }
    init(_ real: Double?) { self = real.map(Statement.Value.real) ?? .null }

    var integer: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }
}
