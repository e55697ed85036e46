import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Records the job, and only once that is committed sends its id and queues it.
    package func submit(_ r: SubmitRequest, _ request: HTTPRequest, by caller: NamedToken?) throws(RequestError) {
        if r.unique, let id = runner.activeIndex.firstJob(named: r.name, inGroup: r.group), let existing = runner.activeJobs[id] {
            reply(toSubmit: request, r, id: existing.job.id)
            if r.sync {
                request.send("jobsched: job \(existing.job.id) is already \(existing.job.status.rawValue) (unique=1)\n")
                request.endStream()
            }
            return
        }
        try checkDependenciesExist(r.after + r.afterAny)
        try checkNotify(r.notify)
        var job = Job(submitting: r, at: Clock.now())
        job.owner = caller?.name
        if !r.environment.isEmpty { job.environmentID = try storedEnvironment(r.environment) }
        try add([job], answering: request, format: r.format, syncClient: r.sync ? request : nil) { ids in
            self.reply(toSubmit: request, r, id: ids[0])
        }
    }

    /// Records new jobs in the open transaction; once the commit holding them
    /// is done, `accepted` sends their ids and they are queued, in order. A
    /// failed commit answers 503 and sends no id.
    package func add(_ jobs: [Job], answering request: HTTPRequest, format: OutputFormat, syncClient: HTTPRequest?,
             accepted: @escaping ([JobID]) -> Void) throws(RequestError) {
        try checkRoom(for: jobs, count: jobs.count)
        var jobs = jobs
        do {
            for (index, id) in try store.insert(jobs).enumerated() { jobs[index].id = id }
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        uncommittedSubmits += jobs.count
        commits.whenCommitted { [unowned self] result in
            self.uncommittedSubmits -= jobs.count
            if case .failure(let error) = result {
                self.respond(request, error: RequestHandlers.databaseError(error), format: format)
                return
            }
            self.metrics.jobsSubmitted(jobs.count)
            accepted(jobs.map(\.id))
            for job in jobs { self.runner.enqueue(job, syncClient: syncClient) }
            // A sync client waits for the job's output: start it now. An async
            // one waits only for its id: let that go out before the spawn.
            if syncClient == nil {
                self.runner.startAdmittedJobsAfterReplies()
            } else {
                self.runner.startAdmittedJobs()
            }
        }
    }

    /// The id of a submitted environment, stored once for every job that
    /// comes with the same one; without what must not travel with a job:
    /// a client's token and server address, and the variables jobsched sets itself.
    private func storedEnvironment(_ entries: [String]) throws(RequestError) -> Int64 {
        do {
            // In one order, so that the same environment sent in another is stored once.
            return try store.environmentID(of: SubmittedEnvironment.carried(entries).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        } catch {
            throw RequestHandlers.databaseError(error)
        }
    }

    /// The id line: the whole reply of an async submit, the first line of a sync one.
    private func reply(toSubmit request: HTTPRequest, _ r: SubmitRequest, id: JobID) {
        guard r.sync else {
            respond(request, format: r.format, text: { "\(id)\n" }, json: { .object([("jobid", .int(id))]) })
            return
        }
        request.startStream { [unowned self] in
            self.runner.killJob(id, reason: "client disconnected")
        }
        request.send("\(id)\n")
    }

    /// Refuses `count` new jobs like `jobs` that this server cannot run, or that --max-queued has no room for.
    package func checkRoom(for jobs: [Job], count: Int) throws(RequestError) {
        if configuration.executor != .slurm, jobs.contains(where: { !$0.slurm.isEmpty }) {
            throw .badRequest("partition, gres, nodes and qos need a server started with --executor slurm")
        }
        try checkResources(of: jobs)
        if let max = configuration.maxQueued,
           !JobLifecycle.queueHasRoom(for: count, maxQueued: max, active: runner.activeJobs.count,
                                      running: runner.scheduler.running.count, limit: runner.scheduler.limit,
                                      uncommitted: uncommittedSubmits) {
            throw RequestError(status: 503, message: "the queue is full (\(max) jobs waiting, --max-queued); try again later")
        }
    }

    /// Refuses jobs that ask more than this machine has in all: they would
    /// wait for ever. (A cluster's executor leaves that to the cluster.)
    package func checkResources(of jobs: [Job]) throws(RequestError) {
        guard configuration.executor == .local,
              let refusal = jobs.lazy.compactMap({ self.configuration.resources.refusal(of: $0.resources) }).first else { return }
        throw .badRequest("the job \(refusal)")
    }

    package func checkDependenciesExist(_ ids: [JobID]) throws(RequestError) {
        let unknown = try unknownJobs(ids)
        guard unknown.isEmpty else { throw .badRequest(RequestHandlers.unknownJobsMessage(unknown) + " in after/afterany") }
    }
}
