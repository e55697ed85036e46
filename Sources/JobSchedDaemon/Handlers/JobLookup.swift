import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// Finding the jobs a request names, and refusing it (404) when one does not exist.
extension RequestHandlers {
    /// A job that exists, active or finished; 404 otherwise.
    package func existingJob(_ id: JobID) throws(RequestError) -> Job {
        let found: Job?
        do {
            found = try currentJob(id)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        guard let found else { throw RequestError(status: 404, message: RequestHandlers.unknownJobsMessage([id])) }
        return found
    }

    /// The ids, among `ids`, of no job, active or finished.
    package func unknownJobs(_ ids: [JobID]) throws(RequestError) -> [JobID] {
        var unknown: [JobID] = []
        do {
            try store.readingTogether { () throws(SQLiteError) in
                for id in ids where runner.activeJobs[id] == nil {
                    if try store.job(id) == nil { unknown.append(id) }
                }
            }
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        return unknown
    }

    package static func unknownJobsMessage(_ ids: [JobID]) -> String {
        "unknown job id " + Excerpt.ids(ids)
    }

    /// The current record of a job, active or finished, even while the database is failing.
    package func currentJob(_ id: JobID) throws(SQLiteError) -> Job? {
        if let active = runner.activeJobs[id] { return active.job }
        return try store.job(id)
    }
}
