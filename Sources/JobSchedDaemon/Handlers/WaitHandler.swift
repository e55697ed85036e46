import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Answers when every listed job (and every job active in `group` now) has
    /// finished, or when the timeout passes. The group's jobs that had already
    /// ended without success are reported too, as if they had ended meanwhile.
    /// Many ids are looked up, and answered, a step at a time (`ManyIDs`).
    package func wait(_ r: WaitRequest, _ request: HTTPRequest) throws(RequestError) {
        var ids = r.ids
        if let group = r.group {
            do {
                ids += try (runner.activeIndex.jobs(inGroup: group) + store.unsucceededJobs(inGroup: group)).sorted()
            } catch {
                throw RequestHandlers.databaseError(error)
            }
        }
        var active: [JobID] = []
        var unknown: [JobID] = []
        // One watch for the whole wait, from when it first outlives this call:
        // while its ids are looked up in later turns, then while it is held.
        var clientGone = false
        var heldAs: WaiterRegistry.Key?
        let watch = {
            request.watchForDisconnect { [unowned self] in
                clientGone = true
                if let heldAs { waiters.remove(heldAs) }
            }
        }
        if ids.count > RequestHandlers.idsPerStep { watch() }
        inSteps(ids, { [unowned self] (chunk) throws(RequestError) in
            guard !clientGone else { throw RequestError(status: 499, message: "client gone") }
            do throws(SQLiteError) {
                try store.readingTogether { () throws(SQLiteError) in
                    for id in chunk {
                        if runner.activeJobs[id] != nil {
                            active.append(id)
                        } else if try store.job(id) == nil {
                            unknown.append(id)
                        }
                    }
                }
            } catch {
                throw RequestHandlers.databaseError(error)
            }
        }, then: { [unowned self] error in
            guard !clientGone else { return }
            if let error { return respond(request, error: error, format: r.format) }
            guard unknown.isEmpty else {
                return respond(request, error: RequestError(status: 404, message: RequestHandlers.unknownJobsMessage(unknown)),
                               format: r.format)
            }
            let waiter = Waiter(request: request, ids: ids, format: r.format, failUnlessAllSucceed: r.fail)
            // Those that have ended since their step looked are not waited for.
            let pending = Set(active.lazy.filter { self.runner.activeJobs[$0] != nil })
            guard !pending.isEmpty else { return answer(waiter) }
            heldAs = hold(waiter, pending: pending, timeout: r.timeout)
            watch()  // a no-op when already watched
        })
    }

    private func hold(_ waiter: Waiter, pending: Set<JobID>, timeout: Double?) -> WaiterRegistry.Key {
        let key = waiters.add(waiter, pending: pending)
        if let timeout {
            waiter.timer = loop.timer(after: timeout) { [unowned self] in
                if let waiter = self.waiters.remove(key) { self.answer(waiter) }
            }
        }
        return key
    }

    /// The reply to a wait: each job as it is now, in the order asked. With
    /// `fail=1`, a first pass in steps finds whether every job succeeded (the status comes first).
    package func answer(_ waiter: Waiter) {
        guard waiter.failUnlessAllSucceed else { return respond(to: waiter, status: 200) }
        var allSucceeded = true
        inSteps(waiter.ids, { [unowned self] (chunk) throws(RequestError) in
            do throws(SQLiteError) {
                try store.readingTogether { () throws(SQLiteError) in
                    for id in chunk where allSucceeded {
                        if let job = try currentJob(id), !job.succeeded { allSucceeded = false }
                    }
                }
            } catch {
                throw RequestHandlers.databaseError(error)
            }
        }, then: { [unowned self] error in
            if let error { return respond(waiter.request, error: error, format: waiter.format) }
            respond(to: waiter, status: allSucceeded ? 200 : 409)
        })
    }

    private func respond(to waiter: Waiter, status: Int32) {
        respondInSlices(waiter.request, status: status, format: waiter.format, key: "jobs", items: waiter.ids,
                        entries: { [unowned self] (chunk) throws(SQLiteError) in
            var jobs: [Job] = []
            try store.readingTogether { () throws(SQLiteError) in
                for id in chunk {
                    if let job = try currentJob(id) { jobs.append(job) }
                }
            }
            return jobs
        }, text: { TextTable.statusLine($0) + "\n" },
           json: { [unowned self] in JobJSON.object($0, now: Clock.now(), unsaved: store.isUnsaved($0.id)) })
    }
}
