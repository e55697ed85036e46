import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Changes a queued job: written into the open transaction and put in
    /// force at once, but no job starts before the commit confirms it; the
    /// reply waits for the commit, and a failed commit puts the job back as it was.
    package func edit(_ r: EditRequest, _ request: HTTPRequest) throws(RequestError) {
        if let notify = r.edit.notify { try checkNotify(notify.flatMap { try? WebhookURL($0) }) }
        let old = try queuedJob(r.id)
        let edited = r.edit.applied(to: old, now: Clock.now())
        try checkResources(of: [edited])
        do {
            try store.updateDefinition(edited)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        runner.replaceQueued(edited)
        let message = "Job \(edited.id) has been edited"
        replyWhenCommitted(request, format: r.format, undo: { [unowned self] in self.runner.replaceQueued(old) }) { [unowned self] in
            self.respond(request, format: r.format, text: { message + "\n" }, json: {
                .object([("jobid", .int(edited.id)), ("message", .string(message)),
                         ("job", JobJSON.object(edited, now: Clock.now()))])
            })
        }
    }

    /// The job an edit may change: 404 for no job, 409 for one not in the queue.
    private func queuedJob(_ id: JobID) throws(RequestError) -> Job {
        if let active = runner.activeJobs[id], active.job.status == .queued { return active.job }
        throw RequestError(status: 409, message: JobEdit.conflict(with: try existingJob(id)))
    }
}
