import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// /remove, /clean and /restart: managing finished jobs.
extension JobSchedServer {
    package func remove(_ r: JobListRequest, _ request: HTTPRequest) throws(RequestError) {
        try requireExistingJobs(r.ids)
        let removed = Set(try deleteFinished { () throws(SQLiteError) in try store.deleteFinished(ids: r.ids) })
        var lines: [(id: JobID, removed: Bool, message: String)] = []
        for id in r.ids {
            if removed.contains(id) {
                lines.append((id, true, "Job \(id) has been removed"))
            } else if let active = runner.activeJobs[id] {
                lines.append((id, false, "Error: job \(id) is \(active.job.status.rawValue); kill it first"))
            } else {
                // Its final state is not yet in the database (a failing disk).
                lines.append((id, false, "Error: job \(id) could not be removed yet"))
            }
        }
        replyWhenCommitted(request, format: r.format) { [unowned self] in
            self.respond(request, format: r.format, text: { lines.map { $0.message + "\n" }.joined() }, json: {
                .object([("results", .array(lines.map {
                    .object([("jobid", .int($0.id)), ("removed", .bool($0.removed)), ("message", .string($0.message))])
                }))])
            })
        }
    }

    package func clean(_ r: CleanRequest, _ request: HTTPRequest) throws(RequestError) {
        let removed = try deleteFinished { () throws(SQLiteError) in
            try store.deleteFinished(statuses: r.statuses, finishedBefore: r.before)
        }
        replyWhenCommitted(request, format: r.format) { [unowned self] in
            self.respond(request, format: r.format, text: { "Removed \(removed.count) jobs\n" },
                         json: { .object([("removed", .int(Int64(removed.count)))]) })
        }
    }

    /// Runs a finished job's command again as a new async job with the same settings.
    package func restart(_ r: JobListRequest, _ request: HTTPRequest) throws(RequestError) {
        guard r.ids.count == 1 else { throw .badRequest("restart takes one job id") }
        let old = try existingJob(r.ids[0])
        guard old.status.isFinished else {
            throw RequestError(status: 409, message: "job \(old.id) is \(old.status.rawValue); only a finished job can be restarted")
        }
        try add([Job(copying: old, submitted: Clock.now())], answering: request, format: r.format, syncClient: nil) { ids in
            self.respond(request, format: r.format, text: { "\(ids[0])\n" }, json: { .object([("jobid", .int(ids[0]))]) })
        }
    }

    /// Deletes finished jobs with `delete` (see `JobRunner.deleteFinished`).
    private func deleteFinished(_ delete: () throws(SQLiteError) -> [JobID]) throws(RequestError) -> [JobID] {
        do {
            return try runner.deleteFinished(delete)
        } catch {
            throw JobSchedServer.databaseError(error)
        }
    }
}
