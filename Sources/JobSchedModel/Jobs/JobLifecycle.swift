/// The decisions of a job's life, as pure functions of its record, so that
/// they are tested without a process, a database or a server.
package enum JobLifecycle {
    /// What a run's end makes of the job.
    package enum AfterRun: Equatable {
        /// Over: recorded with this status and message.
        case finish(JobStatus, msg: String)
        /// Queued again for another attempt, after `delay` seconds.
        case retry(msg: String, delay: Double)
        /// Queued again as if it had never started: the attempt did not happen.
        case requeue(msg: String)
    }

    /// A run ended: jobsched's own kill ends the job as `killed`, and so does
    /// the cluster's (with its reason); a job the cluster refused has `failed`;
    /// a non-zero end, or a node failure, with attempts left is retried, unless the server is
    /// shutting down; anything else is a `success` (the original's name for
    /// "ran to its end", whatever the returncode). With --resume (`resume`),
    /// a job that a crash kept from its cluster is queued again.
    package static func afterRun(of job: Job, end: RunEnd, killReason: String?,
                                 shuttingDown: Bool, resume: Bool = false) -> AfterRun {
        if let killReason { return .finish(.killed, msg: killReason) }
        let termination: Termination
        switch end {
        case .refused(let message): return .finish(.failed, msg: message)
        case .cancelledBeforeStart(let endedBy), .lost(let endedBy): return .finish(.killed, msg: endedBy)
        case .notHandedOver(let endedBy) where resume && !job.sync: return .requeue(msg: "requeued after server restart: \(endedBy)")
        case .notHandedOver(let endedBy): return .finish(.killed, msg: endedBy)
        case .ran(_, let endedBy?, _): return .finish(.killed, msg: endedBy)
        case .ran(let ran, nil, _): termination = ran
        case .nodeFailed(_, let endedBy) where job.attempts <= job.retries && !shuttingDown:
            return .retry(msg: "attempt \(job.attempts) ended with \(endedBy); retrying", delay: job.retryDelay)
        case .nodeFailed(_, let endedBy): return .finish(.killed, msg: endedBy)
        }
        let code = termination.returncode
        if code != 0 && job.attempts <= job.retries && !shuttingDown {
            return .retry(msg: "attempt \(job.attempts) ended with returncode \(code); retrying", delay: job.retryDelay)
        }
        return .finish(.success, msg: "")
    }

    /// A job the previous run of the server left queued or running, settled
    /// at start: without --resume it was killed by the restart; with it, an
    /// async job is queued again (a running one if it has attempts left),
    /// while a sync job's client is gone with the previous run. Nil when the
    /// record stays as it is (a queued job that resumes).
    package static func recovered(_ job: Job, resume: Bool, now: Double) -> Job? {
        var job = job
        switch job.status {
        case .running where resume && !job.sync && job.attempts <= job.retries:
            job.status = .queued
            job.pid = nil
            job.msg = "requeued after server restart"
            return job
        case .queued where resume && !job.sync:
            return nil
        case .queued, .running:
            job.status = .killed
            job.msg = "server restarted"
            job.finished = now
            return job
        default:
            return nil
        }
    }

    /// Whether --max-queued lets `count` more jobs in. It bounds the jobs
    /// that will be waiting (for a slot, a dependency, a start time) once
    /// these and the `uncommitted` submits in flight are queued beside the
    /// `active` ones; the free slots of `limit` take some of them at once.
    package static func queueHasRoom(for count: Int, maxQueued: Int?, active: Int, running: Int, limit: Int,
                                     uncommitted: Int) -> Bool {
        guard let maxQueued else { return true }
        let freeSlots = max(0, limit - running)
        let waiting = max(0, active - running + uncommitted + count - freeSlots)
        return waiting <= maxQueued
    }

    /// The message of a job ended because a job it waited for with `after=` did not succeed.
    package static func brokenDependencyMessage(_ dependency: Job) -> String {
        "dependency \(dependency.id) \(dependency.outcome)"
    }
}

extension Job {
    /// What `after=` asks for: ended by itself with returncode 0.
    package var succeeded: Bool { status == .success && returncode == 0 }

    /// How it ended, for messages: `failed`, `killed`, `success with returncode 3`.
    package var outcome: String {
        status == .success ? "ended with returncode \(returncode.map(String.init) ?? "-")" : status.rawValue
    }

    /// A new queued async job with another job's command and settings (`/restart`).
    package init(copying other: Job, submitted: Double) {
        self.init(name: other.name, group: other.group, command: other.command, sync: false,
                  outlog: other.outlog, errlog: other.errlog, submitted: submitted)
        priority = other.priority
        timeout = other.timeout
        retries = other.retries
        retryDelay = other.retryDelay
        cwd = other.cwd
        env = other.env
        environmentID = other.environmentID
        resources = other.resources
        slurm = other.slurm
    }
}
