import Glibc

/// How a job moves from queued to running to finished.
extension JobSchedServer {
    /// Output a sync client has not read yet, past which the job's pipe is no longer read.
    static let maxUnsentOutput = 1 << 20

    /// Adds a committed job to the queue and starts what the limit allows.
    func enqueue(_ job: Job, syncClient: HTTPRequest?) {
        activeJobs[job.id] = ActiveJob(job: job, syncClient: syncClient)
        scheduler.enqueue(job.id)
        logger.info("job \(job.id) queued: \(job.command)", metadata: ["name": "\(job.name)", "group": "\(job.group)"])
        if isShuttingDown {
            killJob(job.id, reason: "server shutdown")
        } else {
            startAdmittedJobs()
        }
    }

    func startAdmittedJobs() {
        guard !isShuttingDown else { return }
        for id in scheduler.admit() {
            if let active = activeJobs[id] { start(active) }
        }
    }

    private func start(_ active: ActiveJob) {
        var job = active.job
        let stdout: OutputTarget = job.outlog.map(OutputTarget.file) ?? (job.sync ? .pipe : .discard)
        let stderr: OutputTarget = job.errlog.map(OutputTarget.file) ?? (job.sync ? .pipe : .discard)
        let process: LaunchedProcess
        do {
            process = try ProcessLauncher.launch(command: job.command, stdout: stdout, stderr: stderr)
        } catch {
            logger.warning("job \(job.id) failed to start: \(error.message)")
            finish(job.id, status: .failed, returncode: nil, msg: error.message)
            return
        }
        groupKiller.forget(reusedPID: process.pid)
        job.status = .running
        job.started = Timestamp.now()
        job.pid = process.pid
        active.job = job
        jobByPID[process.pid] = job.id
        save(job)
        if let fd = process.outputFD {
            active.output = OutputPump(loop: loop, fd: fd) { [unowned self, unowned active] bytes in
                self.forward(bytes, of: active)
            }
        }
        logger.info("job \(job.id) started, pid \(process.pid)")
    }

    /// Streams output to the sync client, pausing the pipe while the client is behind.
    private func forward(_ bytes: UnsafeRawBufferPointer, of active: ActiveJob) {
        guard let client = active.syncClient, client.isOpen else { return }
        if client.unsentBytes + bytes.count > JobSchedServer.maxUnsentOutput {
            active.output?.pause()
            client.send(bytes) { [weak active] in active?.output?.resume() }
        } else {
            client.send(bytes)
        }
    }

    /// SIGCHLD: every exited job's main process ends its job.
    func reapChildren() {
        for (pid, termination) in reapExitedChildren() {
            guard let id = jobByPID.removeValue(forKey: pid), let active = activeJobs[id] else { continue }
            active.output?.drainAndClose()
            // Processes the job left in its group do not outlive it.
            groupKiller.terminate(group: pid)
            if let reason = active.killReason {
                finish(id, status: .killed, returncode: termination.returncode, msg: reason)
            } else {
                finish(id, status: .success, returncode: termination.returncode, msg: "")
            }
        }
        groupKiller.forgetEmptyGroups()
    }

    enum KillOutcome: Equatable {
        case killed, unknown, alreadyFinished(JobStatus)
    }

    /// Ends a job on jobsched's behalf: a queued one at once, a running one
    /// by SIGTERM (then SIGKILL) to its process group; it finishes as `killed`.
    @discardableResult
    func killJob(_ id: JobID, reason: String) -> KillOutcome {
        guard let active = activeJobs[id] else {
            do {
                guard let job = try store.job(id) else { return .unknown }
                return .alreadyFinished(job.status)
            } catch {
                logger.error("reading job \(id): \(error)")
                return .unknown
            }
        }
        if scheduler.dequeue(id) {
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

    /// The job is over: record it, answer its sync client and waiters, free its slot.
    func finish(_ id: JobID, status: JobStatus, returncode: Int32?, msg: String) {
        guard let active = activeJobs.removeValue(forKey: id) else { return }
        scheduler.finished(id)
        var job = active.job
        job.status = status
        job.returncode = returncode
        job.msg = msg
        job.finished = Timestamp.now()
        save(job)
        logger.info("job \(id) \(status.rawValue), returncode \(returncode.map(String.init) ?? "-")\(msg.isEmpty ? "" : ": \(msg)")")

        if let client = active.syncClient, client.isOpen {
            if active.output.map({ !$0.endsWithNewline }) ?? false { client.send("\n") }
            client.send("jobsched: " + TextTable.statusLine(job) + "\n")
            client.endStream()
        }
        active.output?.close()
        waiters.jobFinished(id)
        startAdmittedJobs()
        finishShutdownIfDone()
    }

    /// Writes a job's new state into the open transaction.
    private func save(_ job: Job) {
        do {
            try store.update(job)
        } catch {
            logger.error("saving job \(job.id): \(error)")
        }
    }

    /// The current record of a job, active or finished.
    func currentJob(_ id: JobID) throws(SQLiteError) -> Job? {
        if let active = activeJobs[id] { return active.job }
        return try store.job(id)
    }
}
