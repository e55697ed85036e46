import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Deletes finished jobs by id; an active one must be killed first.
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
}
