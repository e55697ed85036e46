import JobSchedAPI
import JobSchedModel
import JobSchedSystem

extension JobSchedServer {
    /// Records the job, and only once that is committed sends its id and queues it.
    package func submit(_ r: SubmitRequest, _ request: HTTPRequest) throws(RequestError) {
        if r.unique, let id = activeIndex.firstJob(named: r.name, inGroup: r.group), let existing = activeJobs[id] {
            reply(toSubmit: request, r, id: existing.job.id)
            if r.sync {
                request.send("jobsched: job \(existing.job.id) is already \(existing.job.status.rawValue) (unique=1)\n")
                request.endStream()
            }
            return
        }
        try checkDependenciesExist(r.after + r.afterAny)
        let job = Job(submitting: r, at: Clock.now())
        try add([job], answering: request, format: r.format, syncClient: r.sync ? request : nil) { ids in
            self.reply(toSubmit: request, r, id: ids[0])
        }
    }

    /// Records new jobs in the open transaction; once the commit holding them
    /// is done, `accepted` sends their ids and they are queued, in order. A
    /// failed commit answers 503 and sends no id.
    package func add(_ jobs: [Job], answering request: HTTPRequest, format: OutputFormat, syncClient: HTTPRequest?,
             accepted: @escaping ([JobID]) -> Void) throws(RequestError) {
        if let max = configuration.maxQueued, waitingAfterCommit + jobs.count > max {
            throw RequestError(status: 503, message: "the queue is full (\(max) jobs waiting, --max-queued); try again later")
        }
        var jobs = jobs
        do {
            for (index, id) in try store.insert(jobs).enumerated() { jobs[index].id = id }
        } catch {
            throw JobSchedServer.databaseError(error)
        }
        uncommittedSubmits += jobs.count
        whenCommitted { [unowned self] result in
            self.uncommittedSubmits -= jobs.count
            if case .failure(let error) = result {
                self.respond(request, error: JobSchedServer.databaseError(error), format: format)
                return
            }
            jobs.forEach { _ in self.metrics.jobSubmitted() }
            accepted(jobs.map(\.id))
            for job in jobs { self.enqueue(job, syncClient: syncClient) }
            self.startAdmittedJobs()
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

    /// Jobs that will be waiting (for a slot, a dependency, a start time) once
    /// the submits in flight are queued; the free slots take some of them at once.
    private var waitingAfterCommit: Int {
        let running = scheduler.running.count
        let freeSlots = max(0, scheduler.limit - running)
        return max(0, activeJobs.count - running + uncommittedSubmits - freeSlots)
    }

    package func checkDependenciesExist(_ ids: [JobID]) throws(RequestError) {
        let unknown = try unknownJobs(ids)
        guard unknown.isEmpty else { throw .badRequest(JobSchedServer.unknownJobsMessage(unknown) + " in after/afterany") }
    }
}

extension Job {
    /// The queued job a submit asks for (its id comes from the store).
    package init(submitting r: SubmitRequest, at submitted: Double) {
        self.init(name: r.name, group: r.group, command: r.command, sync: r.sync,
                  outlog: r.outlog, errlog: r.errlog, submitted: submitted)
        priority = r.priority
        after = r.after
        afterAny = r.afterAny
        notBefore = r.at ?? r.delay.map { submitted + $0 }
        timeout = r.timeout
        retries = r.retries
        retryDelay = r.retryDelay
        cwd = r.cwd
        env = r.env
    }
}
