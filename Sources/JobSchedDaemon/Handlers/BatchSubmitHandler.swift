import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Records every job in the open transaction; once that is committed,
    /// replies with all their ids and queues them, in order.
    package func batchSubmit(_ r: BatchSubmitRequest, _ request: HTTPRequest) throws(RequestError) {
        try checkDependenciesExist(r.template.after + r.template.afterAny)
        let submitted = Clock.now()
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
