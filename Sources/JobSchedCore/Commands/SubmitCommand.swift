extension JobSchedServer {
    /// Records the job, and only once that is committed sends its id and queues it.
    func submit(_ r: SubmitRequest, _ request: HTTPRequest) throws(RequestError) {
        let job = try record(r, submitted: Timestamp.now())
        whenCommitted { [unowned self] result in
            if case .failure(let error) = result {
                self.respond(request, error: JobSchedServer.databaseError(error), format: r.format)
                return
            }
            guard r.sync else {
                self.respond(request, format: r.format, text: { "\(job.id)\n" },
                             json: { .object([("jobid", .int(job.id))]) })
                self.enqueue(job, syncClient: nil)
                return
            }
            request.startStream { [unowned self] in
                self.killJob(job.id, reason: "client disconnected")
            }
            request.send("\(job.id)\n")
            self.enqueue(job, syncClient: request)
        }
    }

    /// The job a submit asks for, inserted into the open transaction (so with its id).
    func record(_ r: SubmitRequest, submitted: Double) throws(RequestError) -> Job {
        var job = Job(name: r.name, group: r.group, command: r.command, sync: r.sync,
                      outlog: r.outlog, errlog: r.errlog, submitted: submitted)
        do {
            job.id = try store.insert(job)
        } catch {
            throw JobSchedServer.databaseError(error)
        }
        return job
    }
}
