extension JobSchedServer {
    /// Records the job, and only once that is committed sends its id and queues it.
    func submit(_ r: SubmitRequest, _ request: HTTPRequest) throws(RequestError) {
        if r.unique, let existing = activeJobs.values.first(where: { $0.job.name == r.name && $0.job.group == r.group }) {
            reply(toSubmit: request, r, id: existing.job.id)
            if r.sync {
                request.send("jobsched: job \(existing.job.id) is already \(existing.job.status.rawValue) (unique=1)\n")
                request.endStream()
            }
            return
        }
        var job = Job(name: r.name, group: r.group, command: r.command, sync: r.sync,
                      outlog: r.outlog, errlog: r.errlog, submitted: Timestamp.now())
        job.priority = r.priority
        job.after = r.after
        job.afterAny = r.afterAny
        job.notBefore = r.at ?? r.delay.map { job.submitted + $0 }
        job.timeout = r.timeout
        job.retries = r.retries
        job.retryDelay = r.retryDelay
        job.cwd = r.cwd
        job.env = r.env
        try checkDependenciesExist(job.after + job.afterAny)
        do {
            job.id = try store.insert(job)
        } catch {
            throw JobSchedServer.databaseError(error)
        }
        whenCommitted { [unowned self] result in
            if case .failure(let error) = result {
                self.respond(request, error: JobSchedServer.databaseError(error), format: r.format)
                return
            }
            self.metrics.jobSubmitted()
            self.reply(toSubmit: request, r, id: job.id)
            self.enqueue(job, syncClient: r.sync ? request : nil)
        }
    }

    /// The id line: the whole reply of an async submit, the first line of a sync one.
    private func reply(toSubmit request: HTTPRequest, _ r: SubmitRequest, id: JobID) {
        guard r.sync else {
            respond(request, format: r.format, text: { "\(id)\n" }, json: { .object([("jobid", .int(id))]) })
            return
        }
        request.startStream { [unowned self] in
            self.killJob(id, reason: "client disconnected")
        }
        request.send("\(id)\n")
    }

    private func checkDependenciesExist(_ ids: [JobID]) throws(RequestError) {
        var unknown: [JobID] = []
        for id in ids where activeJobs[id] == nil {
            do {
                if try store.job(id) == nil { unknown.append(id) }
            } catch {
                throw JobSchedServer.databaseError(error)
            }
        }
        guard unknown.isEmpty else {
            throw .badRequest("unknown job id " + unknown.map(String.init).joined(separator: ",") + " in after/afterany")
        }
    }
}
