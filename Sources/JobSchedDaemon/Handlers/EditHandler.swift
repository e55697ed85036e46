import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Changes a queued job: written into the open transaction and put in
    /// force at once, but no job starts before the commit confirms it; the
    /// reply waits for the commit, and a failed commit puts the job back as it
    /// was. A running job may be given a notify URL (or lose it), nothing else.
    package func edit(_ r: EditRequest, _ request: HTTPRequest) throws(RequestError) {
        if let notify = r.edit.notify { try checkNotify(notify.flatMap { try? WebhookURL($0) }) }
        if let url = r.edit.notify, r.edit.changesNotifyOnly, let active = runner.activeJobs[r.id], active.job.status == .running {
            let old = active.job
            var edited = old
            edited.notify = url
            try writeDefinition(edited)
            runner.setNotify(url, ofRunning: old.id)
            return replyEdited(edited, r, request) { [unowned self] in self.runner.setNotify(old.notify, ofRunning: old.id) }
        }
        let old = try queuedJob(r.id)
        let edited = r.edit.applied(to: old, now: Clock.now())
        try checkResources(of: [edited])
        try writeDefinition(edited)
        runner.replaceQueued(edited)
        replyEdited(edited, r, request) { [unowned self] in self.runner.replaceQueued(old) }
    }

    private func writeDefinition(_ job: Job) throws(RequestError) {
        do {
            try store.updateDefinition(job)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
    }

    /// Once the edit is committed: `Job N has been edited`; `undo` if the commit failed.
    private func replyEdited(_ edited: Job, _ r: EditRequest, _ request: HTTPRequest, undo: @escaping () -> Void) {
        let message = "Job \(edited.id) has been edited"
        replyWhenCommitted(request, format: r.format, undo: undo) { [unowned self] in
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
