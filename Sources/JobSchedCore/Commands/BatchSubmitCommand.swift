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
        try checkDependenciesExist(r.template.after + r.template.afterAny)
        let submitted = Timestamp.now()
        let template = Job(submitting: r.template, at: submitted)
        let jobs = r.commands.map { command in
            var job = template
            job.command = command
            return job
        }
        try add(jobs, answering: request, format: r.template.format, syncClient: nil) { ids in
            self.respond(request, format: r.template.format, text: { ids.map { "\($0)\n" }.joined() },
                         json: { .object([("jobids", .array(ids.map { .int($0) }))]) })
        }
    }
}
