/// `/submit?lines=1`: many async jobs in one request, one command per body line.
struct BatchSubmitRequest {
    /// Every parameter but the command, shared by all the jobs.
    var template: SubmitRequest
    var commands: [String]

    init(_ p: Parameters, body: [UInt8]) throws(RequestError) {
        guard try !p.flag("sync", default: true) else {
            throw .badRequest("lines=1 needs sync=0: a batch replies with the job ids only")
        }
        guard p.string("command") == nil else {
            throw .badRequest("with lines=1 the commands are the lines of the body; leave out command=")
        }
        commands = try CommandLines.parse(body)
        template = try SubmitRequest(p.setting("command", to: commands[0]))
    }
}

extension JobSchedServer {
    /// Records every job in the open transaction; once that is committed,
    /// replies with all their ids and queues them, in order.
    func batchSubmit(_ r: BatchSubmitRequest, _ request: HTTPRequest) throws(RequestError) {
        let submitted = Timestamp.now()
        var each = r.template
        var jobs: [Job] = []
        jobs.reserveCapacity(r.commands.count)
        for command in r.commands {
            each.command = command
            jobs.append(try record(each, submitted: submitted))
        }
        whenCommitted { [unowned self] result in
            if case .failure(let error) = result {
                self.respond(request, error: JobSchedServer.databaseError(error), format: r.template.format)
                return
            }
            self.respond(request, format: r.template.format, text: { jobs.map { "\($0.id)\n" }.joined() },
                         json: { .object([("jobids", .array(jobs.map { .int($0.id) }))]) })
            for job in jobs { self.enqueue(job, syncClient: nil) }
        }
    }
}
