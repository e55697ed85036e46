import JobSchedModel
import JobSchedSystem

/// What the runner needs of the job store: writes that share the next group
/// commit, and the few reads a job's end depends on.
package protocol JobRecords: AnyObject {
    /// Writes a job's new state into the open transaction, with the output of
    /// a job that ended small (`CompactOutput`); a failed commit writes them
    /// again later, so the store catches up once it can.
    func save(_ job: Job, output: CompactOutput?)
    /// The stored record of a job that is not active, or nil for an unknown id.
    func storedJob(_ id: JobID) throws(SQLiteError) -> Job?
    /// The entries of a stored environment (`Job.environmentID`); nil if there is none.
    func environment(_ id: Int64) throws(SQLiteError) -> [String]?
    /// Deletes the `count` jobs that finished first.
    func deleteEarliestFinished(_ count: Int) throws(SQLiteError) -> [DeletedJob]
    /// Runs `work` once the open transaction has committed, or failed to.
    func afterNextCommit(_ work: @escaping (Result<Void, SQLiteError>) -> Void)
}

extension JobRecords {
    func save(_ job: Job) { save(job, output: nil) }
}

extension GroupCommit: JobRecords {
    package func storedJob(_ id: JobID) throws(SQLiteError) -> Job? { try store.job(id) }

    package func environment(_ id: Int64) throws(SQLiteError) -> [String]? { try store.environment(id) }

    package func deleteEarliestFinished(_ count: Int) throws(SQLiteError) -> [DeletedJob] {
        try store.deleteEarliestFinished(count)
    }
}
