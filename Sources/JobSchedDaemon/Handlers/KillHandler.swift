import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    package func kill(_ r: JobListRequest, _ request: HTTPRequest) throws(RequestError) {
        // Like /jobinfo, /output and /wait: an id that names no job is a 404, and nothing is killed.
        try requireExistingJobs(r.ids)
        let results: [(id: JobID, killed: Bool, message: String)] = r.ids.map { id in
            switch runner.killJob(id, reason: "killed by /kill") {
            case .killed: return (id, true, "Job \(id) has been killed")
            case .unknown: return (id, false, "Error: unknown job id \(id)")
            case .alreadyFinished(let status): return (id, false, "Error: job \(id) has already finished (\(status.rawValue))")
            }
        }
        respond(request, format: r.format, text: { results.map { $0.message + "\n" }.joined() }, json: {
            .object([("results", .array(results.map {
                .object([("jobid", .int($0.id)), ("killed", .bool($0.killed)), ("message", .string($0.message))])
            }))])
        })
    }
}
