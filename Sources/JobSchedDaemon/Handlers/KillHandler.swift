import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Kills the listed jobs, a step of ids at a time (`ManyIDs`).
    package func kill(_ r: JobListRequest, _ request: HTTPRequest) throws(RequestError) {
        // Like /jobinfo, /output and /wait: an id that names no job is a 404, and nothing is killed.
        checkExisting(r.ids) { [unowned self] error in
            if let error { return respond(request, error: error, format: r.format) }
            var outcomes: [JobRunner.KillOutcome] = []
            outcomes.reserveCapacity(r.ids.count)
            inSteps(r.ids, { [unowned self] chunk in
                outcomes += chunk.map { runner.killJob($0, reason: "killed by /kill") }
            }, then: { [unowned self] _ in
                respondInSlices(request, format: r.format, key: "results", items: Array(zip(r.ids, outcomes)),
                                entries: { Array($0) }, text: { KillHandler.message($0) + "\n" }, json: {
                    .object([("jobid", .int($0.0)), ("killed", .bool($0.1 == .killed)), ("message", .string(KillHandler.message($0)))])
                })
            })
        }
    }
}

private enum KillHandler {
    static func message(_ result: (id: JobID, outcome: JobRunner.KillOutcome)) -> String {
        switch result.outcome {
        case .killed: "Job \(result.id) has been killed"
        case .unknown: "Error: unknown job id \(result.id)"
        case .alreadyFinished(let status): "Error: job \(result.id) has already finished (\(status.rawValue))"
        }
    }
}
