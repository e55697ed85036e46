import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Runs a finished job's command again as a new async job with the same settings.
    package func restart(_ r: JobListRequest, _ request: HTTPRequest, by caller: NamedToken?) throws(RequestError) {
        guard r.ids.count == 1 else { throw .badRequest("restart takes one job id") }
        let old = try existingJob(r.ids[0])
        guard old.status.isFinished else {
            throw RequestError(status: 409, message: "job \(old.id) is \(old.status.rawValue); only a finished job can be restarted")
        }
        var again = Job(copying: old, submitted: Clock.now())
        again.owner = caller?.name
        try add([again], answering: request, format: r.format, syncClient: nil) { ids in
            self.respond(request, format: r.format, text: { "\(ids[0])\n" }, json: { .object([("jobid", .int(ids[0]))]) })
        }
    }
}
