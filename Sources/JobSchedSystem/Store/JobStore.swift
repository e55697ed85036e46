import JobSchedModel

/// The jobs table in SQLite: every job's record, the only copy that survives
/// a restart.
///
/// Writes do not commit one by one. The first write after a commit opens a
/// transaction and calls `onFirstWrite`, which the server uses to schedule
/// `commit()`; everything written in between shares that one commit.
///
/// A job's changing state (`update`) is not even written at once: only its
/// latest state is, when the transaction commits or before anything reads
/// the table. A short job that starts and ends between two commits costs one
/// UPDATE, not two.
package final class JobStore {
    package static let applicationID: Int64 = 0x4A53_4344  // "JSCD"
    package static let schemaVersion: Int64 = 15

    let db: SQLiteDatabase
    let path: String
    /// Made when the job table starts empty (a new file, `--clear`): job ids
    /// start again from 1 then, so whatever is kept by id outside the
    /// database (the spool) must belong to this identity.
    package let identity: String
    /// The job table is new or was cleared at this start.
    package let startedEmpty: Bool
    private let lock: DatabaseLock
    private let begin: Statement
    private let commitStatement: Statement
    private let rollbackStatement: Statement
    private let savepoint: Statement
    private let releaseSavepoint: Statement
    private let rollbackToSavepoint: Statement
    private let insertStatement: Statement
    private let updateStatement: Statement
    private let updateDefinitionStatement: Statement
    private let byIDStatement: Statement
    private let saveGroupStatement: Statement
    private var queryStatements: [String: Statement] = [:]
    /// The latest state of each job given to `update` and not yet written.
    /// A refused commit puts back those it had written, so that they stay
    /// what every read sees, and are written again, until a commit keeps them.
    private var pendingStates: [JobID: PendingState] = [:]
    /// The states written into the open transaction, to put back if it fails.
    private var writtenStates: [JobID: PendingState] = [:]
    /// A job's state to write, and its output when it ended small.
    private struct PendingState {
        var job: Job
        var output: CompactOutput?
    }
    /// The last commit failed: the pending states are not merely young but refused.
    private var lastCommitFailed = false
    /// The newest delivery written (`deliveries`, the outbox), and the newest
    /// committed: only a committed delivery may be sent.
    var lastDeliveryID: Int64 = 0
    package private(set) var committedDeliveryID: Int64 = 0
    /// The receivers of the deliveries written since the sender last asked (`takeReceiversAdded`).
    var receiversAdded: Set<String> = []

    /// Called when a write opens a new transaction.
    package var onFirstWrite: () -> Void = {}

    static let columns = """
        id, name, grp, command, status, returncode, sync, outlog, errlog, msg, submitted, started, finished, pid,
        priority, after_ids, afterany_ids, not_before, timeout, retries, retry_delay, attempts, cwd, env,
        slurm_options, slurm_jobid, node, slurm_state, cpu_user, cpu_system, max_rss_kb, slurm_reason, environment,
        cpus, mem, gpus, cpu_ids, gpu_ids, owner, notify
        """

    /// What a read of a job selects: its columns, and where the notification
    /// of a finished job's end stands (`decodeDelivery`).
    static let selected = columns + ", " + deliveryState

    /// Those and, last, the entries of the job's environment: for a listing that names it.
    static let selectedWithEnvironment = selected + ", (SELECT entries FROM environments WHERE id = jobs.environment)"

    package init(path: String, clear: Bool) throws(ServerError) {
        self.path = path
        do {
            db = try SQLiteDatabase(path: path)
            lock = try DatabaseLock(path: path)
            try JobStore.prepareSchema(db, path: path)
            if clear {
                // A new identity: the spool files of the jobs deleted here go with them.
                try db.execute("""
                    DELETE FROM jobs; DELETE FROM sqlite_sequence WHERE name = 'jobs'; DELETE FROM deliveries;
                    UPDATE meta SET value = \(JobStore.newIdentity) WHERE key = 'identity';
                    """)
            }
            guard case .text(let identity) = try db.scalar("SELECT value FROM meta WHERE key = 'identity'") else {
                throw ServerError("'\(path)' has no identity")
            }
            self.identity = identity
            committedDeliveryID = try db.scalar("SELECT max(id) FROM deliveries").integer ?? 0
            lastDeliveryID = committedDeliveryID
            let sequences = try db.scalar("SELECT count(*) FROM sqlite_sequence WHERE name = 'jobs'")
            startedEmpty = clear || sequences == .integer(0)
            begin = try db.prepare("BEGIN")
            commitStatement = try db.prepare("COMMIT")
            rollbackStatement = try db.prepare("ROLLBACK")
            savepoint = try db.prepare("SAVEPOINT request")
            releaseSavepoint = try db.prepare("RELEASE request")
            rollbackToSavepoint = try db.prepare("ROLLBACK TO request")
            insertStatement = try db.prepare("""
                INSERT INTO jobs (\(JobStore.columns.split(separator: ",").dropFirst().joined(separator: ",")))
                VALUES (\(Array(repeating: "?", count: 39).joined(separator: ", ")))
                """)
            updateStatement = try db.prepare("""
                UPDATE jobs SET status = ?, returncode = ?, msg = ?, started = ?, finished = ?, pid = ?, attempts = ?,
                    slurm_jobid = ?, node = ?, slurm_state = ?, cpu_user = ?, cpu_system = ?, max_rss_kb = ?, slurm_reason = ?,
                    cpu_ids = ?, gpu_ids = ?
                WHERE id = ?
                """)
            updateDefinitionStatement = try db.prepare("""
                UPDATE jobs SET name = ?, grp = ?, command = ?, priority = ?, not_before = ?, timeout = ?, retries = ?, retry_delay = ?,
                    cpus = ?, mem = ?, gpus = ?, notify = ?
                WHERE id = ?
                """)
            byIDStatement = try db.prepare("SELECT \(JobStore.selected) FROM jobs WHERE id = ?")
            saveGroupStatement = try db.prepare("INSERT OR REPLACE INTO groups (name, max_running, paused, notify) VALUES (?, ?, ?, ?)")
        } catch let error as SQLiteError {
            throw ServerError("cannot use database '\(path)': \(error.message)")
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError("cannot use database '\(path)': \(error)")
        }
    }

    /// SQL for a new random identity.
    static let newIdentity = "lower(hex(randomblob(16)))"

    /// Finished without success (what `fail=1` and `after=` count as failure).
    /// The queries that use `jobs_unsucceeded` must repeat this text exactly.
    static let unsucceeded = "(status IN ('failed', 'killed') OR (status = 'success' AND returncode != 0))"

    // MARK: Writes

    func beginIfNeeded() throws(SQLiteError) {
        guard !db.isInTransaction else { return }
        try begin.run()
        onFirstWrite()
    }

    /// Adds a job and returns its new id; visible to readers at once, durable after `commit()`.
    package func insert(_ job: Job) throws(SQLiteError) -> JobID {
        try beginIfNeeded()
        try insertStatement.run([
            .text(job.name), .text(job.group), .text(job.command), .text(job.status.rawValue),
            .init(job.returncode), .integer(job.sync ? 1 : 0), .init(job.outlog), .init(job.errlog),
            .text(job.msg), .real(job.submitted), .init(job.started), .init(job.finished), .init(job.pid),
            .integer(Int64(job.priority)), .text(JobStore.encodeIDs(job.after)), .text(JobStore.encodeIDs(job.afterAny)),
            .init(job.notBefore), .init(job.timeout), .integer(Int64(job.retries)), .real(job.retryDelay),
            .integer(Int64(job.attempts)), .init(job.cwd), .text(JobStore.encodeList(job.env)),
            .text(job.slurm.stored), .init(job.slurmJobID), .init(job.node), .init(job.slurmState),
            .init(job.usage?.userSeconds), .init(job.usage?.systemSeconds), .init(job.usage?.maxRSSKilobytes),
            .init(job.slurmReason), .init(job.environmentID)] + JobStore.resourceValues(job) + JobStore.allocationValues(job)
            + [.init(job.owner), .init(job.notify)])
        return db.lastInsertRowID
    }

    /// Adds several jobs, all or none: a failure part-way leaves none of them
    /// in the transaction that the other requests of this iteration share.
    package func insert(_ jobs: [Job]) throws(SQLiteError) -> [JobID] {
        // One INSERT is atomic by itself; the savepoint is for batches only.
        if jobs.count == 1 { return [try insert(jobs[0])] }
        return try atomically { () throws(SQLiteError) in
            var ids: [JobID] = []
            ids.reserveCapacity(jobs.count)
            for job in jobs { ids.append(try insert(job)) }
            return ids
        }
    }

    /// Runs several writes of one request as one: a failure part-way takes
    /// back those already made from the transaction the iteration shares.
    private func atomically<T>(_ writes: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try beginIfNeeded()
        try savepoint.run()
        do {
            let result = try writes()
            try releaseSavepoint.run()
            return result
        } catch {
            try? rollbackToSavepoint.run()
            try? releaseSavepoint.run()
            throw error
        }
    }

    /// Records a job's changing fields (status, returncode, msg, times, pid),
    /// and the output of a job that ended small (`CompactOutput`), to be
    /// written before the next read or commit.
    package func update(_ job: Job, output: CompactOutput? = nil) throws(SQLiteError) {
        pendingStates[job.id] = PendingState(job: job, output: output ?? pendingStates[job.id]?.output)
        try beginIfNeeded()
    }

    /// States a refused commit left pending get a transaction (and so a commit) again.
    package func retryPendingStates() throws(SQLiteError) {
        guard !pendingStates.isEmpty else { return }
        try beginIfNeeded()
    }

    /// Whether a job's latest state was refused by the last commit and is not yet stored.
    package func isUnsaved(_ id: JobID) -> Bool {
        lastCommitFailed && (pendingStates[id] != nil || writtenStates[id] != nil)
    }

    /// Writes what `/edit` may change in a queued job (`JobEdit`) into the
    /// open transaction at once, as an insert is: durable after `commit()`.
    package func updateDefinition(_ job: Job) throws(SQLiteError) {
        try beginIfNeeded()
        try updateDefinitionStatement.run([
            .text(job.name), .text(job.group), .text(job.command), .integer(Int64(job.priority)), .init(job.notBefore),
            .init(job.timeout), .integer(Int64(job.retries)), .real(job.retryDelay)] + JobStore.resourceValues(job)
            + [.init(job.notify), .integer(job.id)])
        // A state still to be written is also what `job(_:)` answers: it must carry the edit.
        pendingStates[job.id]?.job = job
    }

    /// Writes the pending job states, in id order; any left after an error stay pending.
    func writePendingStates() throws(SQLiteError) {
        guard !pendingStates.isEmpty else { return }
        try beginIfNeeded()
        for state in pendingStates.values.sorted(by: { $0.job.id < $1.job.id }) {
            let job = state.job
            try updateStatement.run([
                .text(job.status.rawValue), .init(job.returncode), .text(job.msg),
                .init(job.started), .init(job.finished), .init(job.pid), .integer(Int64(job.attempts)),
                .init(job.slurmJobID), .init(job.node), .init(job.slurmState),
                .init(job.usage?.userSeconds), .init(job.usage?.systemSeconds), .init(job.usage?.maxRSSKilobytes),
                .init(job.slurmReason)] + JobStore.allocationValues(job) + [.integer(job.id)])
            if let output = state.output { try writeOutput(job.id, output) }
            if job.status.isFinished, job.notify != nil { try addDelivery(of: job) }
            pendingStates[job.id] = nil
            writtenStates[job.id] = state
        }
    }

    /// One page of a shutdown's end of the queued jobs: marks the next `limit`
    /// queued jobs after id `after` killed. Returns how many, and the last id
    /// of the page (nil when no queued job is left past `after`).
    package func killQueued(after: JobID, limit: Int, msg: String, at time: Double) throws(SQLiteError) -> (count: Int, readThrough: JobID?) {
        try beginIfNeeded()
        try writePendingStates()
        guard let last = try lastID(ofPage: .queued, after: after, limit: limit) else { return (0, nil) }
        let condition = "status = 'queued' AND id > ? AND id <= ?"
        let notifying = try jobsToNotify(where: condition, [.integer(after), .integer(last)])
        let statement = try cachedStatement("UPDATE jobs SET status = 'killed', msg = ?, finished = ? WHERE \(condition)")
        try statement.run([.text(msg), .real(time), .integer(after), .integer(last)])
        let count = Int(try db.scalar("SELECT changes()").integer ?? 0)
        try addDeliveries(ofKilled: notifying, msg: msg, at: time)
        return (count, last)
    }

    /// The last id of the page of the next `limit` jobs with `status` after id
    /// `after` (through the status index, which holds ids in order); nil if there are none.
    private func lastID(ofPage status: JobStatus, after: JobID, limit: Int) throws(SQLiteError) -> JobID? {
        let page = try cachedStatement(
            "SELECT max(id) FROM (SELECT id FROM jobs WHERE status = ? AND id > ? ORDER BY id LIMIT ?)")
        try page.reset(binding: [.text(status.rawValue), .integer(after), .integer(Int64(limit))])
        defer { try? page.reset() }
        return try page.step() ? page.int(at: 0) : nil
    }

    /// Marks every job in one of `statuses` as killed, but those in `except`, in one statement:
    /// those a previous run left, or the queued ones at a shutdown.
    package func killInterrupted(_ statuses: [JobStatus], except: [JobID] = [], msg: String, at time: Double) throws(SQLiteError) -> Int {
        try beginIfNeeded()
        try writePendingStates()
        let condition = "status IN (SELECT value FROM json_each(?)) AND id NOT IN (SELECT value FROM json_each(?))"
        let values: [Statement.Value] = [.text(JSON.array(statuses.map { .string($0.rawValue) }).serialized()),
                                         .text(JSON.array(except.map { .int($0) }).serialized())]
        let notifying = try jobsToNotify(where: condition, values)
        try db.prepare("UPDATE jobs SET status = 'killed', msg = ?, finished = ? WHERE \(condition)")
            .run([.text(msg), .real(time)] + values)
        let count = Int(try db.scalar("SELECT changes()").integer ?? 0)
        try addDeliveries(ofKilled: notifying, msg: msg, at: time)
        return count
    }

    /// Deletes finished jobs: the listed ones, those matching, or the `count`
    /// that finished first; returns the jobs deleted. Queued and running jobs are never deleted.
    package func deleteFinished(ids: [JobID]) throws(SQLiteError) -> [DeletedJob] {
        try deleteFinished(where: "id IN (SELECT value FROM json_each(?))",
                           [.text(JSON.array(ids.map { .int($0) }).serialized())])
    }

    /// One page of a `/clean`: of the next `limit` jobs with `status` after id
    /// `after`, deletes those that finished before `finishedBefore`. A page
    /// reads at most `limit` rows however few match, so each takes the loop
    /// for a bounded time. Returns the jobs deleted and the last id read (nil
    /// when no job with `status` is left past `after`).
    package func deleteFinished(status: JobStatus, after: JobID, finishedBefore: Double?,
                                limit: Int) throws(SQLiteError) -> (deleted: [DeletedJob], readThrough: JobID?) {
        try writePendingStates()
        guard let last = try lastID(ofPage: status, after: after, limit: limit) else { return ([], nil) }
        let deleted = try deleteFinished(where: "status = ? AND id > ? AND id <= ? AND finished < ?",
                                         [.text(status.rawValue), .integer(after), .integer(last),
                                          .real(finishedBefore ?? .infinity)])
        return (deleted, last)
    }

    package func deleteEarliestFinished(_ count: Int) throws(SQLiteError) -> [DeletedJob] {
        try deleteFinished(where: "id IN (SELECT id FROM jobs WHERE finished IS NOT NULL ORDER BY finished, id LIMIT ?)",
                           [.integer(Int64(count))])
    }

    private func deleteFinished(where condition: String, _ values: [Statement.Value]) throws(SQLiteError) -> [DeletedJob] {
        try beginIfNeeded()
        try writePendingStates()
        let statement = try cachedStatement(
            "DELETE FROM jobs WHERE \(condition) AND status NOT IN ('queued', 'running') RETURNING id, grp, status, returncode")
        try statement.reset(binding: values)
        var deleted: [DeletedJob] = []
        while try statement.step() {
            guard let status = statement.text(at: 2).flatMap(JobStatus.init(rawValue:)),
                  let outcome = JobOutcome(status: status, returncode: statement.int(at: 3).map { Int32(truncatingIfNeeded: $0) })
            else { continue }
            deleted.append(DeletedJob(id: statement.int(at: 0) ?? 0, group: statement.text(at: 1) ?? "", outcome: outcome))
        }
        try statement.reset()
        return deleted
    }

    /// The jobs of a group that ended without success, in id order.
    package func unsucceededJobs(inGroup group: String) throws(SQLiteError) -> [JobID] {
        try writePendingStates()
        let statement = try cachedStatement("SELECT id FROM jobs WHERE grp = ? AND \(JobStore.unsucceeded) ORDER BY id")
        try statement.reset(binding: [.text(group)])
        var ids: [JobID] = []
        while try statement.step() { ids.append(statement.int(at: 0) ?? 0) }
        try statement.reset()
        return ids
    }

    /// Finished jobs by group and outcome: one pass over the group index
    /// (which holds status and returncode), done once at start.
    package func countFinished() throws(SQLiteError) -> FinishedCounts {
        try writePendingStates()
        let statement = try db.prepare("""
            SELECT grp, status, returncode, count(*) FROM jobs WHERE status NOT IN ('queued', 'running')
            GROUP BY grp, status, returncode
            """)
        var counts = FinishedCounts()
        while try statement.step() {
            guard let status = statement.text(at: 1).flatMap(JobStatus.init(rawValue:)),
                  let outcome = JobOutcome(status: status, returncode: statement.int(at: 2).map { Int32(truncatingIfNeeded: $0) })
            else { continue }
            counts.add(Int(statement.int(at: 3) ?? 0), group: statement.text(at: 0) ?? "", outcome: outcome)
        }
        return counts
    }

    /// Jobs finished in each minute (Unix time / 60) since `time`, from the index on `finished`.
    package func finishedPerMinute(since time: Double) throws(SQLiteError) -> [Int64: Int] {
        let statement = try db.prepare(
            "SELECT CAST(finished / 60 AS INTEGER), count(*) FROM jobs WHERE finished >= ? GROUP BY 1")
        try statement.reset(binding: [.real(time)])
        var counts: [Int64: Int] = [:]
        while try statement.step() { counts[statement.int(at: 0) ?? 0] = Int(statement.int(at: 1) ?? 0) }
        return counts
    }

    /// Every group's settings that differ from the defaults.
    package func groupSettings() throws(SQLiteError) -> [String: Scheduler.Group] {
        let statement = try db.prepare("SELECT name, max_running, paused, notify FROM groups")
        var groups: [String: Scheduler.Group] = [:]
        while try statement.step() {
            groups[statement.text(at: 0) ?? ""] = Scheduler.Group(
                limit: statement.int(at: 1).map { Int($0) }, paused: statement.int(at: 2) == 1, notify: statement.text(at: 3))
        }
        return groups
    }

    /// Writes groups' settings, all or none.
    package func save(groups: [(name: String, settings: Scheduler.Group)]) throws(SQLiteError) {
        try atomically { () throws(SQLiteError) in
            for (name, settings) in groups {
                try saveGroupStatement.run([.text(name), .init(settings.limit), .integer(settings.paused ? 1 : 0), .init(settings.notify)])
            }
        }
    }

    package func commit() throws(SQLiteError) {
        guard db.isInTransaction else { return }
        do throws(SQLiteError) {
            // Acknowledged and lost on the next start: refused instead.
            if db.fileHasMoved { throw JobStore.movedError(path) }
            try writePendingStates()
            try commitStatement.run()
            committedDeliveryID = lastDeliveryID
            writtenStates.removeAll(keepingCapacity: true)
            lastCommitFailed = false
        } catch {
            rollback()
            lastCommitFailed = true
            throw error
        }
    }

    /// Whether writes wait for a commit.
    package var isInTransaction: Bool { db.isInTransaction }

    /// Takes back the open transaction; the job states it held stay pending,
    /// behind anything newer, for the next commit.
    package func rollback() {
        if db.isInTransaction { try? rollbackStatement.run() }
        lastDeliveryID = committedDeliveryID
        pendingStates.merge(writtenStates) { pending, written in
            PendingState(job: pending.job, output: pending.output ?? written.output)
        }
        writtenStates.removeAll(keepingCapacity: true)
    }

    /// The commit error of a database file deleted or replaced under the server.
    private static func movedError(_ path: String) -> SQLiteError {
        SQLiteError(code: SQLiteError.databaseMoved,
                    message: "the database file '\(path)' was deleted or replaced while the server ran; "
                        + "nothing more is accepted: restart the server")
    }

    // MARK: Checkpoints

    /// Frames in the write-ahead log after the last commit, once
    /// `takeOverCheckpoints()` has been called.
    package var walFrames: Int { db.walFrames }

    /// Leaves checkpoints to the caller (see `WALCheckpointer`) instead of
    /// SQLite's own, which run inside a commit and wait there for the disk.
    package func takeOverCheckpoints() { db.takeOverCheckpoints() }

    /// A checkpoint on this connection: in the caller's thread, waiting for the disk.
    package func checkpoint() throws(SQLiteError) -> (frames: Int, copied: Int) {
        try db.checkpoint()
    }

    /// A checkpoint of the database at `path` from a connection of its own:
    /// what `jobsched wal-checkpoint` does, in a process of its own.
    package static func checkpoint(databaseAt path: String) throws(ServerError) -> (frames: Int, copied: Int) {
        do {
            let db = try SQLiteDatabase(path: path, create: false)
            // A connection finds the log on its first read; before that, a
            // checkpoint would find nothing to copy.
            guard try db.scalar("PRAGMA application_id") == .integer(applicationID) else {
                throw ServerError("'\(path)' is not a jobsched database")
            }
            return try db.checkpoint()
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError("cannot checkpoint '\(path)': \(error)")
        }
    }

    // MARK: Reads (they see uncommitted writes: same connection)

    /// Runs `reads` in one read transaction: outside a transaction each
    /// statement takes and drops the database's locks (four fcntl calls and a
    /// stat), which was most of the time of a `/wait` on thousands of jobs.
    /// Inside the open write transaction the reads are already together.
    package func readingTogether<T>(_ reads: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        // States a failed commit left pending are written first, into a transaction that commits.
        if !pendingStates.isEmpty { try beginIfNeeded() }
        guard !db.isInTransaction else { return try reads() }
        try begin.run()  // deferred: it locks nothing until the first read
        defer {
            // Ends the reads (there is nothing to write); never left open, or
            // the next writes would join it without scheduling their commit.
            if (try? commitStatement.run()) == nil { try? rollbackStatement.run() }
        }
        return try reads()
    }

    /// The output given with a job's state that is not yet written.
    func pendingOutput(_ id: JobID) -> CompactOutput? { pendingStates[id]?.output }

    package func job(_ id: JobID) throws(SQLiteError) -> Job? {
        if let pending = pendingStates[id] { return JobStore.withDeliveryPending(pending.job) }
        try byIDStatement.reset(binding: [.integer(id)])
        guard try byIDStatement.step() else { return nil }
        let job = JobStore.decode(byIDStatement)
        try byIDStatement.reset()
        return job
    }

    /// The id of the stored environment with these entries, stored now if it
    /// is new. Looked up first: most submits come with one already stored (the
    /// same shell's), and a lookup writes nothing.
    package func environmentID(of entries: [String]) throws(SQLiteError) -> Int64 {
        let stored = JobStore.encodeList(entries)
        let select = try cachedStatement("SELECT id FROM environments WHERE entries = ?")
        try select.reset(binding: [.text(stored)])
        let found = try select.step() ? select.int(at: 0) : nil
        try select.reset()
        if let found { return found }
        try beginIfNeeded()
        try cachedStatement("INSERT INTO environments (entries) VALUES (?)").run([.text(stored)])
        return db.lastInsertRowID
    }

    /// A stored environment's entries; nil if there is none with this id.
    package func environment(_ id: Int64) throws(SQLiteError) -> [String]? {
        let select = try cachedStatement("SELECT entries FROM environments WHERE id = ?")
        try select.reset(binding: [.integer(id)])
        defer { try? select.reset() }
        guard try select.step() else { return nil }
        return JobStore.decodeList(select.text(at: 0))
    }

    package func jobs(matching filter: JobFilter) throws(SQLiteError) -> [Job] {
        try writePendingStates()
        let (clause, values) = filter.sqlClauses()
        let statement = try cachedStatement("SELECT \(JobStore.selected) FROM jobs \(clause)")
        try statement.reset(binding: values)
        var jobs: [Job] = []
        while try statement.step() { jobs.append(JobStore.decode(statement)) }
        try statement.reset()
        return jobs
    }

    /// Statements whose SQL is built at run time, prepared once per distinct text.
    func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = queryStatements[sql] { return cached }
        let statement = try db.prepare(sql)
        queryStatements[sql] = statement
        return statement
    }

    static func decode(_ row: Statement) -> Job {
        var job = Job(
            id: row.int(at: 0)!,
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
        job.priority = Int(row.int(at: 14) ?? 0)
        job.after = decodeIDs(row.text(at: 15))
        job.afterAny = decodeIDs(row.text(at: 16))
        job.notBefore = row.double(at: 17)
        job.timeout = row.double(at: 18)
        job.retries = Int(row.int(at: 19) ?? 0)
        job.retryDelay = row.double(at: 20) ?? 0
        job.attempts = Int(row.int(at: 21) ?? 0)
        job.cwd = row.text(at: 22)
        job.env = decodeList(row.text(at: 23))
        job.slurm = SlurmOptions(stored: row.text(at: 24) ?? "")
        job.slurmJobID = row.int(at: 25)
        job.node = row.text(at: 26)
        job.slurmState = row.text(at: 27)
        if let user = row.double(at: 28), let system = row.double(at: 29), let rss = row.int(at: 30) {
            job.usage = ResourceUsage(userSeconds: user, systemSeconds: system, maxRSSKilobytes: rss)
        }
        job.slurmReason = row.text(at: 31)
        job.environmentID = row.int(at: 32)
        job.resources = ResourceRequest(cpus: Int(row.int(at: 33) ?? 1), mem: row.int(at: 34).map { MemorySize(bytes: Int($0)) },
                                        gpus: Int(row.int(at: 35) ?? 0))
        let (cpuIDs, gpuIDs) = (row.text(at: 36), row.text(at: 37))
        if cpuIDs != nil || gpuIDs != nil {
            job.allocation = Allocation(cpus: job.resources.cpus, cpuIDs: decodeIDs(cpuIDs).map(Int.init), mem: job.resources.mem,
                                        gpuIDs: (gpuIDs ?? "").split(separator: ",").map(String.init), gpusCounted: gpuIDs != nil)
        }
        job.owner = row.text(at: 38)
        job.notify = row.text(at: 39)
        if row.columnCount > 40 { job.delivery = decodeDelivery(row.text(at: 40)) }
        if row.columnCount > 41 { job.environment = row.text(at: 41).map { decodeList($0) } }
        return job
    }

    /// What a job asks: `cpus`, `mem` (bytes), `gpus`.
    private static func resourceValues(_ job: Job) -> [Statement.Value] {
        [.integer(Int64(job.resources.cpus)), .init(job.resources.mem?.bytes), .integer(Int64(job.resources.gpus))]
    }

    /// What its run was given: `cpu_ids` (with --bind-cpus), `gpu_ids` (where
    /// GPUs are handed out, empty for none); NULL for what is not handed out.
    private static func allocationValues(_ job: Job) -> [Statement.Value] {
        guard let allocation = job.allocation else { return [.null, .null] }
        return [allocation.cpuIDs.isEmpty ? .null : .text(encodeIDs(allocation.cpuIDs.map(JobID.init))),
                allocation.gpusCounted ? .text(allocation.gpuIDs.joined(separator: ",")) : .null]
    }

    /// Id lists are stored as `1,2,3`.
    private static func encodeIDs(_ ids: [JobID]) -> String { ids.map(String.init).joined(separator: ",") }
    private static func decodeIDs(_ text: String?) -> [JobID] { (text ?? "").split(separator: ",").compactMap { JobID($0) } }

    /// Lists of any strings are stored length-prefixed (`3:A=15:B=x y`), so no
    /// character needs escaping.
    package static func encodeList(_ items: [String]) -> String {
        items.map { "\($0.utf8.count):\($0)" }.joined()
    }

    package static func decodeList(_ text: String?) -> [String] {
        var bytes = Substring(text ?? "").utf8[...]
        var items: [String] = []
        while let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
              let length = Int(String(decoding: bytes[..<colon], as: UTF8.self)) {
            let start = bytes.index(after: colon)
            guard let end = bytes.index(start, offsetBy: length, limitedBy: bytes.endIndex) else { break }
            items.append(String(decoding: bytes[start..<end], as: UTF8.self))
            bytes = bytes[end...]
        }
        return items
    }
}

extension Statement.Value {
    package init(_ text: String?) { self = text.map(Statement.Value.text) ?? .null }
    package init<I: BinaryInteger>(_ int: I?) { self = int.map { .integer(Int64($0)) } ?? .null }
    package init(_ real: Double?) { self = real.map(Statement.Value.real) ?? .null }

    package var integer: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }
}
