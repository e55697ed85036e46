import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Answers when every listed job (and every job active in `group` now) has
    /// finished, or when the timeout passes. The group's jobs that had already
    /// ended without success are reported too, as if they had ended meanwhile.
    package func wait(_ r: WaitRequest, _ request: HTTPRequest) throws(RequestError) {
        var ids = r.ids
        var pending: Set<JobID> = []
        var unknown: [JobID] = []
        do throws(SQLiteError) {
            try store.readingTogether { () throws(SQLiteError) in
                if let group = r.group {
                    ids += try (runner.activeIndex.jobs(inGroup: group) + store.unsucceededJobs(inGroup: group)).sorted()
                }
                for id in ids {
                    if runner.activeJobs[id] != nil {
                        pending.insert(id)
                    } else if try store.job(id) == nil {
                        unknown.append(id)
                    }
                }
            }
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        guard unknown.isEmpty else {
            throw RequestError(status: 404, message: RequestHandlers.unknownJobsMessage(unknown))
        }
        let waiter = Waiter(request: request, ids: ids, format: r.format, failUnlessAllSucceed: r.fail)
        guard !pending.isEmpty else {
            answer(waiter)
            return
        }
        let key = waiters.add(waiter, pending: pending)
        request.watchForDisconnect { [unowned self] in self.waiters.remove(key) }
        if let timeout = r.timeout {
            waiter.timer = loop.timer(after: timeout) { [unowned self] in
                if let waiter = self.waiters.remove(key) { self.answer(waiter) }
            }
        }
    }

    /// The reply to a wait: each job as it is now, in the order asked.
    package func answer(_ waiter: Waiter) {
        var jobs: [Job] = []
        do {
            try store.readingTogether { () throws(SQLiteError) in
                for id in waiter.ids {
                    if let job = try currentJob(id) { jobs.append(job) }
                }
            }
        } catch {
            respond(waiter.request, error: RequestHandlers.databaseError(error), format: waiter.format)
            return
        }
        let status: Int32 = waiter.failUnlessAllSucceed && !jobs.allSatisfy(\.succeeded) ? 409 : 200
        respond(waiter.request, status: status, format: waiter.format,
                text: { jobs.map { TextTable.statusLine($0) + "\n" }.joined() },
                json: { .object([("jobs", .array(jobs.map { JobJSON.object($0, now: Clock.now(), unsaved: store.isUnsaved($0.id)) }))]) })
    }
}
