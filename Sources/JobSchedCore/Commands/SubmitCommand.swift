extension JobSchedServer {
    /// Records the job, and only once that is committed sends its id and queues it.
    func submit(_ r: SubmitRequest, _ request: HTTPRequest) throws(RequestError) {
        var job = Job(name: r.name, group: r.group, command: r.command, sync: r.sync,
                      outlog: r.outlog, errlog: r.errlog, submitted: Timestamp.now())
        if let max = configuration.maxQueued, waitingAfterCommit >= max {
            throw RequestError(status: 503, message: "the queue is full (\(max) jobs waiting, --max-queued); try again later")
        }
        do {
            job.id = try store.insert(job)
        } catch {
            throw JobSchedServer.databaseError(error)
        }
        uncommittedSubmits += 1
        whenCommitted { [unowned self] result in
            self.uncommittedSubmits -= 1
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

    /// Jobs that will be waiting for a slot once the submits in flight are queued.
    private var waitingAfterCommit: Int {
        let freeSlots = max(0, scheduler.limit - scheduler.running.count)
        return max(0, scheduler.queue.count + uncommittedSubmits - freeSlots)
    }
}
