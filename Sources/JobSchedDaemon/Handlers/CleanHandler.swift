import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Deletes finished jobs by status and age.
    package func clean(_ r: CleanRequest, _ request: HTTPRequest) throws(RequestError) {
        let removed = try deleteFinished { () throws(SQLiteError) in
            try store.deleteFinished(statuses: r.statuses, finishedBefore: r.before)
        }
        replyWhenCommitted(request, format: r.format) { [unowned self] in
            self.respond(request, format: r.format, text: { "Removed \(removed.count) jobs\n" },
                         json: { .object([("removed", .int(Int64(removed.count)))]) })
        }
    }

    /// Deletes finished jobs with `delete` (see `JobRunner.deleteFinished`).
    package func deleteFinished(_ delete: () throws(SQLiteError) -> [DeletedJob]) throws(RequestError) -> [JobID] {
        do {
            return try runner.deleteFinished(delete)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
    }
}
