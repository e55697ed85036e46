import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// How a job moves from queued to running to finished.
///
/// A queued job waits first for its dependencies and its start time (held
/// here), then for a slot (held by the scheduler).
extension JobSchedServer {
    /// Output a sync client has not read yet, past which the job's pipe is no longer read.
    package static let maxUnsentOutput = 1 << 20

    /// Adds a committed (or, with --resume, reloaded) queued job; the caller
    /// then starts admitted jobs, once for all the jobs it adds, so that they
    /// start by priority rather than in the order they were added.
    package func enqueue(_ job: Job, syncClient: HTTPRequest?) {
        let active = ActiveJob(job: job, syncClient: syncClient)
        activeJobs[job.id] = active
        activeIndex.insert(job)
        logger.info("job \(job.id) queued (name \(Excerpt.plain(job.name, limit: 80)), group \(Excerpt.plain(job.group, limit: 80))): \(Excerpt.plain(job.command))")
        if isShuttingDown && !keepsQueuedJobsAtShutdown(job) {
            killJob(job.id, reason: "server shutdown")
            return
        }
        guard registerDependencies(of: job) else { return }
        if let notBefore = job.notBefore, notBefore > Clock.now() {
            hold(active, for: notBefore - Clock.now())
        }
        makeReadyIfFree(job.id)
    }

    /// Keeps a queued job from starting for a while (a start time, a retry's pause).
    private func hold(_ active: ActiveJob, for seconds: Double) {
        active.startTimer = loop.timer(after: seconds) { [unowned self, unowned active] in
            active.startTimer = nil
            self.makeReadyIfFree(active.job.id)
            self.startAdmittedJobs()
        }
    }

    /// Makes the job wait for its active dependencies; false if one has
    /// already ended without success, which ends the job here.
    private func registerDependencies(of job: Job) -> Bool {
        // Most jobs have none: no list of kinds to build for them.
        guard !job.after.isEmpty || !job.afterAny.isEmpty else { return true }
        for (ids, kind) in [(job.after, DependencyGraph.Kind.afterSuccess), (job.afterAny, .afterAny)] {
            for dependency in ids {
                if activeJobs[dependency] != nil {
                    dependencies.add(job.id, waitsFor: dependency, kind: kind)
                } else if kind == .afterSuccess, let ended = try? store.job(dependency), !ended.succeeded {
                    finish(job.id, status: .killed, returncode: nil, msg: "dependency \(dependency) \(ended.outcome)")
                    return false
                }
            }
        }
        return true
    }

    /// With --resume, a shutdown leaves async queued jobs queued for the next start.
    package func keepsQueuedJobsAtShutdown(_ job: Job) -> Bool {
        configuration.resume && !job.sync
    }

    /// Hands a queued job to the scheduler once nothing else holds it back;
    /// `startAdmittedJobs` then starts it when its turn comes.
    package func makeReadyIfFree(_ id: JobID) {
        guard let active = activeJobs[id], active.job.status == .queued, active.startTimer == nil,
              !dependencies.isBlocked(id) else { return }
        scheduler.makeReady(id, group: active.job.group, priority: active.job.priority)
    }

    package func startAdmittedJobs() {
        guard !isShuttingDown else { return }
        for id in scheduler.admit() {
            if let active = activeJobs[id] { start(active) }
        }
    }

    private func start(_ active: ActiveJob) {
        var job = active.job
        let plan = OutputPlan(sync: job.sync, outlog: job.outlog, errlog: job.errlog)
        job.attempts += 1
        let process: LaunchedProcess
        do {
            process = try ProcessLauncher.launch(command: job.command, directory: job.cwd,
                                                 environment: JobEnvironment.entries(jobID: job.id, database: databaseFile,
                                                                                     requested: job.env),
                                                 stdout: plan.stdout, stderr: plan.stderr, descriptorLimit: descriptorLimit)
        } catch {
            logger.warning("job \(job.id) failed to start: \(error.message)")
            active.job = job
            finish(job.id, status: .failed, returncode: nil, msg: error.message)
            return
        }
        groupKiller.forget(reusedPID: process.pid)
        job.status = .running
        job.started = Clock.now()
        job.pid = process.pid
        job.msg = ""
        active.job = job
        jobByPID[process.pid] = job.id
        save(job)
        if active.spool == nil {
            active.spool = SpoolWriter(spool: spool, id: job.id, streams: plan.spoolStreams)
        }
        for (fd, stream) in [(process.stdoutFD, plan.firstPipeStream), (process.stderrFD, .stderr)] {
            guard let fd, let stream else { continue }
            active.pumps.append(OutputPump(loop: loop, fd: fd, buffer: pipeBuffer) { [unowned self, unowned active] bytes in
                self.capture(bytes, from: stream, of: active)
            })
        }
        if let timeout = job.timeout {
            active.timeoutTimer = loop.timer(after: timeout) { [unowned self] in
                self.killJob(job.id, reason: "timeout after \(Timestamp.seconds(timeout)) s")
            }
        }
        logger.info("job \(job.id) started, pid \(process.pid)\(job.attempts > 1 ? ", attempt \(job.attempts)" : "")")
    }

    /// Output read from a job: kept in the spool, sent to its sync client and followers.
    private func capture(_ bytes: UnsafeRawBufferPointer, from stream: JobOutputStream, of active: ActiveJob) {
        active.spool?.append(bytes, to: .both)
        if stream != .both { active.spool?.append(bytes, to: stream) }
        if let client = active.syncClient, client.isOpen {
            active.clientSawNewline = bytes.last == UInt8(ascii: "\n")
            // Past the limit, the pipes are no longer read until the client catches up.
            if client.unsentBytes + bytes.count > JobSchedServer.maxUnsentOutput {
                active.pumps.forEach { $0.pause() }
                client.send(bytes) { [weak active] in active?.pumps.forEach { $0.resume() } }
            } else {
                client.send(bytes)
            }
        }
        for follower in active.followers where follower.stream == .both || follower.stream == stream {
            follower.request.send(bytes)
        }
        // A follower must not hold the job back: one that falls too far behind is let go.
        active.followers.removeAll { follower in
            guard follower.request.unsentBytes > JobSchedServer.maxUnsentOutput else { return !follower.request.isOpen }
            follower.request.send("\njobsched: output dropped: this client reads too slowly\n")
            follower.request.endStream()
            return true
        }
    }

    /// SIGCHLD: every exited job's main process ends its run.
    package func reapChildren() {
        for (pid, termination) in reapExitedChildren() {
            if checkpointer?.reaped(pid, termination) == true { continue }
            guard let id = jobByPID.removeValue(forKey: pid), let active = activeJobs[id] else { continue }
            active.pumps.forEach { $0.drainAndClose() }
            active.pumps = []
            active.timeoutTimer = nil
            // Processes the job left in its group do not outlive it.
            groupKiller.terminate(group: pid)
            let code = termination.returncode
            if let reason = active.killReason {
                finish(id, status: .killed, returncode: code, msg: reason)
            } else if code != 0 && active.job.attempts <= active.job.retries && !isShuttingDown {
                retry(active, after: code)
            } else {
                finish(id, status: .success, returncode: code, msg: "")
            }
        }
        groupKiller.forgetEmptyGroups()
    }

    /// Puts a job whose run failed back in the queue, after its retry delay.
    private func retry(_ active: ActiveJob, after code: Int32) {
        let id = active.job.id
        scheduler.finished(id)
        active.job.status = .queued
        active.job.pid = nil
        active.job.msg = "attempt \(active.job.attempts) ended with returncode \(code); retrying"
        save(active.job)
        logger.info("job \(id) \(active.job.msg)")
        if active.job.retryDelay > 0 { hold(active, for: active.job.retryDelay) }
        makeReadyIfFree(id)
        startAdmittedJobs()
    }

    package enum KillOutcome: Equatable {
        case killed, unknown, alreadyFinished(JobStatus)
    }

    /// Ends a job on jobsched's behalf: a queued one at once, a running one
    /// by SIGTERM (then SIGKILL) to its process group; it finishes as `killed`.
    @discardableResult
    package func killJob(_ id: JobID, reason: String) -> KillOutcome {
        guard let active = activeJobs[id] else {
            do {
                guard let job = try store.job(id) else { return .unknown }
                return .alreadyFinished(job.status)
            } catch {
                logger.error("reading job \(id): \(error)")
                return .unknown
            }
        }
        if active.job.status == .queued {
            finish(id, status: .killed, returncode: nil, msg: reason)
        } else if let pid = active.pid {
            if active.killReason == nil {
                active.killReason = reason
                logger.info("job \(id) killing: \(reason)")
            }
            groupKiller.terminate(group: pid)
        }
        return .killed
    }

    /// The job is over: record it, answer its sync client and waiters, free its
    /// slot, and settle the jobs that depended on it.
    ///
    /// Ending a job can end others (dependents that can no longer run, jobs
    /// that fail to start in the freed slot), and those more: a chain of
    /// 100,000 `after=` jobs ends in one call. So endings go on a work list
    /// that the outermost call drains, never one stack frame per job.
    package func finish(_ id: JobID, status: JobStatus, returncode: Int32?, msg: String) {
        endings.append(Ending(id: id, status: status, returncode: returncode, msg: msg))
        guard endings.count == 1 else { return }  // a call further up is draining the list
        var next = 0
        repeat {
            while next < endings.count {
                record(endings[next])
                next += 1
            }
            // Done once for all the endings; starting jobs may add endings (a failed start).
            trimHistory()
            startAdmittedJobs()
        } while next < endings.count
        endings.removeAll(keepingCapacity: true)
        finishShutdownIfDone()
    }

    private func record(_ ending: Ending) {
        let id = ending.id
        guard let active = activeJobs.removeValue(forKey: id) else { return }
        activeIndex.remove(active.job)
        scheduler.finished(id)
        _ = scheduler.remove(id)
        dependencies.remove(id)
        active.startTimer = nil
        active.timeoutTimer = nil
        var job = active.job
        job.status = ending.status
        job.returncode = ending.returncode
        job.msg = ending.msg
        job.finished = Clock.now()
        save(job)
        finishedCount += 1
        metrics.jobFinished(job)
        logger.info("job \(id) \(job.status.rawValue), returncode \(job.returncode.map(String.init) ?? "-")\(job.msg.isEmpty ? "" : ": \(job.msg)")")

        if let client = active.syncClient, client.isOpen {
            if !active.clientSawNewline { client.send("\n") }
            client.send("jobsched: " + TextTable.statusLine(job) + "\n")
            client.endStream()
        }
        active.followers.forEach { $0.request.endStream() }
        active.pumps.forEach { $0.close() }
        active.spool?.finish()
        waiters.jobFinished(id)

        let (unblocked, broken) = dependencies.resolve(id, succeeded: job.succeeded)
        for waiting in broken {
            endings.append(Ending(id: waiting, status: .killed, returncode: nil, msg: "dependency \(id) \(job.outcome)"))
        }
        unblocked.forEach(makeReadyIfFree)
    }

    /// Writes a job's new state into the open transaction. Until that commits,
    /// the state is also kept here, to be written again if the commit fails.
    package func save(_ job: Job) {
        unconfirmed[job.id] = job
        do {
            try store.update(job)
        } catch {
            logger.error("saving job \(job.id): \(error)")
            scheduleSaveRetry()
        }
    }

    /// The current record of a job, active or finished, even while the database is failing.
    package func currentJob(_ id: JobID) throws(SQLiteError) -> Job? {
        if let active = activeJobs[id] { return active.job }
        if let written = unconfirmed[id] { return written }
        return try store.job(id)
    }
}

extension Job {
    /// What `after=` asks for: ended by itself with returncode 0.
    package var succeeded: Bool { status == .success && returncode == 0 }

    /// How it ended, for messages: `failed`, `killed`, `success with returncode 3`.
    package var outcome: String {
        status == .success ? "ended with returncode \(returncode.map(String.init) ?? "-")" : status.rawValue
    }
}

/// A job's end, waiting in `JobSchedServer.endings` to be recorded.
package struct Ending {
    package let id: JobID
    package let status: JobStatus
    package let returncode: Int32?
    package let msg: String
}
