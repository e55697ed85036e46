extension JobSchedServer {
    /// A job's kept output; with follow=1, then everything new until the job ends.
    func output(_ r: OutputRequest, _ request: HTTPRequest) throws(RequestError) {
        let job = try existingJob(r.id)
        let plan = OutputPlan(sync: job.sync, outlog: job.outlog, errlog: job.errlog)
        guard plan.spoolStreams.contains(r.stream) else {
            throw RequestError(status: 409, message: JobSchedServer.whyNotKept(r.stream, of: job, plan: plan))
        }
        let kept = spool.read(job.id, r.stream) ?? []
        guard r.follow, let active = activeJobs[job.id] else {
            kept.withUnsafeBytes { request.respond(status: 200, bytes: $0) }
            return
        }
        request.startStream { [unowned active, unowned request] in
            active.followers.removeAll { $0.request === request }
        }
        kept.withUnsafeBytes { request.send($0) }
        active.followers.append((request, r.stream))
    }

    static func whyNotKept(_ stream: Spool.Stream, of job: Job, plan: OutputPlan) -> String {
        switch stream {
        case .stdout where job.outlog != nil: return "job \(job.id)'s stdout goes to \(job.outlog!)"
        case .stderr where job.errlog != nil: return "job \(job.id)'s stderr goes to \(job.errlog!)"
        case .both: return "job \(job.id)'s output goes to its outlog and errlog files"
        default: return "job \(job.id) is a sync job: its stdout and stderr were kept together; leave out stream="
        }
    }
}
