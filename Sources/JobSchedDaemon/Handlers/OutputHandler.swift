import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// A job's kept output; with follow=1, then everything new until the job ends.
    package func output(_ r: OutputRequest, _ request: HTTPRequest) throws(RequestError) {
        let job = try existingJob(r.id)
        let plan = OutputPlan(sync: job.sync, outlog: job.outlog, errlog: job.errlog)
        guard plan.spoolStreams.contains(r.stream) else {
            throw RequestError(status: 409, message: whyNotKept(r.stream, of: job))
        }
        let small = try smallOutput(of: job.id, r.stream)
        guard r.follow else {
            if let small {
                return (small + lossLine(of: job, after: small.last)).withUnsafeBytes { request.respond(status: 200, bytes: $0) }
            }
            // Read and sent a slice at a time: kept output is up to --max-log.
            guard let kept = spool.open(job.id, r.stream) else {
                return lossLine(of: job, after: nil).withUnsafeBytes { request.respond(status: 200, bytes: $0) }
            }
            FileReply.send(request, prefix: kept.prefix, fd: kept.fd, offset: kept.offset, length: kept.length,
                           suffix: lossLine(of: job, after: kept.lastByte))
            return
        }
        let kept = small ?? spool.read(job.id, r.stream) ?? []
        request.startStream { [unowned self, unowned request] in
            self.runner.unfollow(job.id, client: request)
        }
        kept.withUnsafeBytes { request.send($0) }
        let sawNewline = kept.last.map { $0 == UInt8(ascii: "\n") } ?? true
        // Followed to its end, which may have come already: the reply ends with the job's status line.
        if runner.activeJobs[job.id] != nil {
            runner.follow(job.id, client: request, stream: r.stream, sawNewline: sawNewline)
        } else {
            request.endStream(with: job, sawNewline: sawNewline)
        }
    }

    /// A job's output while it is small, which is in no file: held in memory
    /// while the job runs, in the database once it has ended (`SpoolWriter`).
    /// Nil when it is in the spool's files.
    private func smallOutput(of id: JobID, _ stream: JobOutputStream) throws(RequestError) -> [UInt8]? {
        if let writer = runner.activeJobs[id]?.spool { return writer.heldOutput(stream) }
        do {
            return try store.output(id)?.bytes(of: stream)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
    }

    /// For a job whose spool could not keep all its output: a last line that
    /// says so. A follower needs none: it reads the output live, not from the spool.
    private func lossLine(of job: Job, after lastByte: UInt8?) -> [UInt8] {
        guard let loss = OutputLoss.reported(in: job.msg) else { return [] }
        let newline = lastByte.map { $0 != UInt8(ascii: "\n") } ?? false
        return Array("\(newline ? "\n" : "")jobsched: \(loss)\n".utf8)
    }

    /// Where the output asked for went instead, and what is kept.
    package func whyNotKept(_ stream: JobOutputStream, of job: Job) -> String {
        func file(_ path: String) -> String {
            Excerpt.quoted(path.hasPrefix("/") ? path : workingDirectory + "/" + path, limit: 400)
        }
        switch (stream, job.outlog, job.errlog) {
        case (.stdout, let outlog?, _):
            return "job \(job.id)'s stdout went to the file \(file(outlog))"
        case (.stderr, _, let errlog?):
            return "job \(job.id)'s stderr went to the file \(file(errlog))"
        case (_, let outlog?, let errlog?):
            return "job \(job.id)'s stdout went to the file \(file(outlog)) and its stderr to \(file(errlog))"
        case (_, let outlog?, nil):
            return "job \(job.id)'s stdout went to the file \(file(outlog)); its stderr is kept: add stream=stderr"
        case (_, nil, let errlog?):
            return "job \(job.id)'s stderr went to the file \(file(errlog)); its stdout is kept: add stream=stdout"
        default:
            return "job \(job.id) is a sync job: its stdout and stderr were kept together; leave out stream="
        }
    }
}
