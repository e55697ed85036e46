import JobSchedModel
import JobSchedSystem
import Logging

/// Runs jobs on a Slurm cluster through its command-line tools, never
/// waiting for them: every `sbatch`, `squeue` and `scancel` is a child process
/// read on the event loop and reaped from SIGCHLD like a job.
///
/// - An async job is queued with `sbatch`; its output goes to files that
///   are read as they grow, at each poll, and once more at its end.
/// - A sync job runs as `srun`, the server's child: its output comes through
///   pipes as it is written, with no shared disk in between.
/// - One `squeue` call per interval gives the state of every job; a job
///   ends when Slurm lists it as ended, with Slurm's exit status.
/// - Stops are Slurm's own cancels (see `SlurmCanceller`), so that Slurm
///   records CANCELLED; a sync job's `srun`, a process here, gets the
///   server's SIGTERM and SIGKILL if it outlives the cancel by the grace period.
package final class SlurmExecutor: Executor {
    package var onEnded: (JobID, RunEnd) -> Void = { _, _ in }
    package var onPlaced: (JobID, ClusterPlacement) -> Void = { _, _ in }
    package var onIdle: () -> Void = {}
    package var isIdle: Bool { processes.isIdle && canceller.isIdle }

    package struct Settings {
        package var commands: SlurmCommands
        /// Where async jobs' output files go: a directory the nodes can write.
        package var outputDirectory: String
        package var pollInterval: Double
        package var killGrace: Double
        /// The server's database file: marks a sync job's srun (see `JobEnvironment`).
        package var databaseFile: String
        /// The server's working directory, from which a relative `outlog`/`errlog` is taken.
        package var serverDirectory: String
        /// `sbatch` processes run at once; more submits wait their turn. Each
        /// takes about 10 ms of CPU: more at once only take cores from the server.
        package var maxSubmitting = 2

        package init(commands: SlurmCommands, outputDirectory: String, pollInterval: Double, killGrace: Double,
                     databaseFile: String, serverDirectory: String) {
            (self.commands, self.outputDirectory, self.pollInterval, self.killGrace) =
                (commands, outputDirectory, pollInterval, killGrace)
            (self.databaseFile, self.serverDirectory) = (databaseFile, serverDirectory)
        }
    }

    /// A job handed to Slurm, until its end is reported.
    private final class ClusterJob {
        let id: JobID
        let isSync: Bool
        var placement = ClusterPlacement(slurmJobID: nil, node: nil, state: nil)
        /// Async: the files Slurm writes the job's output to, and where each goes.
        var outputFiles: [(tail: FileTail, stream: JobOutputStream)] = []
        let output: (UnsafeRawBufferPointer, JobOutputStream) -> Void
        /// Async: what `sbatch` is run with, until it has answered with the job's Slurm id.
        var submission: (arguments: [String], environment: [String])?
        /// Not yet in Slurm's hands: waiting for its turn to run `sbatch`, or for its answer.
        var isSubmitting: Bool { submission != nil }
        /// Async: `sbatch` runs that failed for want of the controller.
        var submitFailures = 0
        /// Async: its `sbatch` is running now.
        var sbatchRuns = false
        /// Async: the file sbatch reads the job's script from, until it has.
        var batchScript: String?
        /// Sync: how `srun` ended; the end is reported once Slurm lists the job as ended.
        var srunEnd: Termination?
        /// Sync: the last `srun: error:` line of its output, for a job Slurm refused.
        var srunError: String?
        /// Polls since `srun` ended that did not list the job.
        var pollsUnlisted = 0
        var isStopping = false
        /// Sync: the end of a stop's grace period (then srun's SIGTERM), or the wait before an `sbatch` is tried again.
        var forceTimer: Event?

        init(id: JobID, isSync: Bool, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) {
            (self.id, self.isSync, self.output) = (id, isSync, output)
        }

        /// Keeps srun's last error line: it says why Slurm refused the job.
        func noteSrunError(_ bytes: UnsafeRawBufferPointer) {
            let text = String(decoding: bytes, as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("srun: error: ") {
                srunError = String(line)
            }
        }
    }

    private let loop: EventLoop
    private let settings: Settings
    private let commands: CommandRunner
    /// Runs the sync jobs' `srun` processes, as local jobs' bash.
    private let processes: LocalExecutor
    private let canceller: SlurmCanceller
    private let logger: Logger
    private let readBuffer = OutputPump.Buffer()
    private var jobs: [JobID: ClusterJob] = [:]
    /// Jobs waiting to run `sbatch`, first come first served (from `submitQueueHead` on).
    private var submitQueue: [ClusterJob] = []
    private var submitQueueHead = 0
    private var submitting = 0
    private var pollTimer: Event?
    private var isPolling = false
    private var pollAgainAtOnce = false
    private var pollFailures = 0

    package init(loop: EventLoop, settings: Settings, commands: CommandRunner, processes: LocalExecutor, logger: Logger) {
        self.loop = loop
        self.settings = settings
        self.commands = commands
        self.processes = processes
        self.logger = logger
        canceller = SlurmCanceller(loop: loop, commands: commands, logger: logger, retryInterval: settings.pollInterval)
        canceller.stillNeedsCancel = { [unowned self] slurmJobID in
            self.jobs.values.contains { $0.placement.slurmJobID == slurmJobID }
        }
        canceller.onSettled = { [unowned self] in
            self.pollSoon()
            self.reportIdleIfSo()
        }
        processes.onEnded = { [unowned self] id, end in
            if case .ran(let termination, _, _) = end { self.srunEnded(id, termination) }
        }
        processes.onIdle = { [unowned self] in self.reportIdleIfSo() }
    }

    // MARK: Starting

    package func start(_ job: Job, plan: OutputPlan,
                       output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32? {
        if job.sync {
            let cluster = ClusterJob(id: job.id, isSync: true, output: output)
            let pid = try processes.start(
                job.id, arguments: settings.commands.srun(job),
                // srun carries the server's mark: a restart kills what a crash left of a sync job.
                environment: JobEnvironment.entries(jobID: job.id, database: settings.databaseFile, requested: job.env),
                plan: plan) { [unowned cluster] bytes, stream in
                    // srun's refusal comes before Slurm lists the job; later output is the job's.
                    if cluster.placement.slurmJobID == nil { cluster.noteSrunError(bytes) }
                    cluster.output(bytes, stream)
                }
            track(cluster)
            return pid
        }
        let cluster = ClusterJob(id: job.id, isSync: false, output: output)
        let base = settings.outputDirectory + "/" + String(job.id)
        // Slurm takes a relative path from the job's directory; jobsched's outlog is from the server's.
        let stdout = job.outlog.map(fromServerDirectory) ?? base + ".out"
        let stderr = job.errlog.map(fromServerDirectory) ?? base + ".err"
        if job.outlog == nil { cluster.outputFiles.append((FileTail(path: stdout), plan.firstPipeStream ?? .stdout)) }
        if job.errlog == nil { cluster.outputFiles.append((FileTail(path: stderr), .stderr)) }
        cluster.outputFiles.forEach { $0.tail.remove() }  // a previous attempt's
        let script = base + ".sh"
        do {
            try writeWholeFile(script, SlurmCommands.batchScript(job.command))
        } catch {
            throw ExecutorError(message: "cannot write the batch script \(Excerpt.quoted(script)): \(error.description)")
        }
        cluster.batchScript = script
        cluster.submission = (settings.commands.sbatch(job, script: script, stdout: stdout, stderr: stderr),
                              JobEnvironment.entries(jobID: job.id, database: nil, requested: job.env))
        track(cluster)
        queueSubmission(cluster)
        return nil
    }

    private func fromServerDirectory(_ path: String) -> String {
        path.hasPrefix("/") ? path : settings.serverDirectory + "/" + path
    }

    private func track(_ cluster: ClusterJob) {
        jobs[cluster.id] = cluster
        if pollTimer == nil && !isPolling { schedulePoll(after: settings.pollInterval) }
    }

    private func queueSubmission(_ cluster: ClusterJob) {
        submitQueue.append(cluster)
        submitNext()
    }

    private func submitNext() {
        while submitting < settings.maxSubmitting, submitQueueHead < submitQueue.count {
            let cluster = submitQueue[submitQueueHead]
            submitQueueHead += 1
            // A job stopped while it waited has ended already.
            guard jobs[cluster.id] === cluster, let submission = cluster.submission else { continue }
            do {
                try commands.run(submission.arguments, environment: submission.environment) { [unowned self] result in
                    self.submitting -= 1
                    cluster.sbatchRuns = false
                    self.submitted(cluster, result)
                    self.submitNext()
                }
                submitting += 1
                cluster.sbatchRuns = true
            } catch {
                end(cluster, .refused("cannot run sbatch: \(error.message)"))
            }
        }
        if submitQueueHead == submitQueue.count {
            submitQueue.removeAll(keepingCapacity: true)
            submitQueueHead = 0
        }
    }

    private func submitted(_ cluster: ClusterJob, _ result: CommandRunner.Result) {
        guard jobs[cluster.id] === cluster else { return }
        guard result.succeeded, let slurmJobID = Int64(result.stdout.split(separator: ";").first?.trimmingNewline ?? "") else {
            guard SlurmCommands.isControllerUnreachable(result.stderr), !cluster.isStopping else {
                logger.warning("job \(cluster.id): sbatch failed: \(result.failure)")
                end(cluster, .refused(result.failure))
                return
            }
            // The controller is down or busy: the job waits and tries again, backing off up to a minute.
            cluster.submitFailures += 1
            let delay = min(60, settings.pollInterval * Double(1 << min(cluster.submitFailures, 6)))
            logger.warning("job \(cluster.id): sbatch failed (try \(cluster.submitFailures); again in \(Timestamp.seconds(delay)) s): \(result.failure)")
            cluster.forceTimer = loop.timer(after: delay) { [unowned self, unowned cluster] in
                cluster.forceTimer = nil
                self.queueSubmission(cluster)
            }
            return
        }
        cluster.submission = nil
        removeBatchScript(of: cluster)
        place(cluster, ClusterPlacement(slurmJobID: slurmJobID, node: nil, state: "PENDING"))
        if cluster.isStopping { canceller.cancel(slurmJobID) }
    }

    package func adopt(_ job: Job, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) -> Bool {
        guard !job.sync else {
            // Its client went with the previous run: it ends (see `shutDownLeftover`).
            cancelLeftover(job)
            return false
        }
        let cluster = ClusterJob(id: job.id, isSync: false, output: output)
        cluster.placement = ClusterPlacement(slurmJobID: job.slurmJobID, node: job.node, state: job.slurmState)
        let base = settings.outputDirectory + "/" + String(job.id)
        if job.outlog == nil { cluster.outputFiles.append((FileTail(path: base + ".out"), .stdout)) }
        if job.errlog == nil { cluster.outputFiles.append((FileTail(path: base + ".err"), .stderr)) }
        track(cluster)
        return true
    }

    /// A sync job of a previous run: its `srun` is gone, so the Slurm job is cancelled.
    private func cancelLeftover(_ job: Job) {
        if let slurmJobID = job.slurmJobID {
            canceller.cancel(slurmJobID)
        } else {
            canceller.cancel(named: settings.commands.slurmName(of: job.id))
        }
    }

    // MARK: Polling

    private func schedulePoll(after seconds: Double) {
        pollTimer = loop.timer(after: seconds) { [unowned self] in
            self.pollTimer = nil
            self.poll()
        }
    }

    /// Polls at once (a sync job's srun ended): its end waits on Slurm's word.
    /// A poll under way may have asked before the change: another follows it.
    private func pollSoon() {
        if isPolling {
            pollAgainAtOnce = true
        } else {
            schedulePoll(after: 0)
        }
    }

    private func poll() {
        guard !jobs.isEmpty, !isPolling else { return }
        isPolling = true
        do {
            try commands.run(SlurmCommands.squeue) { [unowned self] result in
                self.isPolling = false
                self.polled(result)
            }
        } catch {
            isPolling = false
            pollFailed(error.message)
        }
    }

    private func polled(_ result: CommandRunner.Result) {
        guard result.succeeded else {
            pollFailed(result.failure)
            return
        }
        if pollFailures > 0 { logger.notice("squeue answers again after \(pollFailures) failed polls") }
        pollFailures = 0
        var listed: [JobID: SlurmJobState] = [:]
        for state in SlurmJobState.parseListing(result.stdout) {
            guard let id = settings.commands.jobID(fromSlurmName: state.name) else { continue }
            // After a retry, the same name may be listed twice: the latest Slurm job counts.
            if let seen = listed[id], seen.slurmJobID > state.slurmJobID { continue }
            listed[id] = state
        }
        for cluster in Array(jobs.values) where !cluster.isSubmitting {
            // A pending job has written nothing: its files are not even looked for.
            if cluster.placement.state != "PENDING" { readOutput(of: cluster) }
            guard let state = listed[cluster.id],
                  cluster.placement.slurmJobID.map({ state.slurmJobID >= $0 }) ?? true else {
                unlisted(cluster)
                continue
            }
            place(cluster, ClusterPlacement(slurmJobID: state.slurmJobID, node: state.node, state: state.state))
            guard state.hasEnded, !cluster.isSync || cluster.srunEnd != nil else { continue }
            if state.state == "CANCELLED" && state.node == nil {
                end(cluster, .cancelledBeforeStart(endedBy: state.slurmEndReason ?? "slurm: CANCELLED"))
            } else {
                end(cluster, .ran(state.termination, endedBy: cluster.isStopping ? nil : state.slurmEndReason))
            }
        }
        guard !jobs.isEmpty else { return }
        // A sync job whose srun has ended waits only for Slurm to list it as ended: soon.
        let syncEnding = jobs.values.contains { $0.srunEnd != nil }
        schedulePoll(after: pollAgainAtOnce ? 0 : syncEnding ? min(0.1, settings.pollInterval) : settings.pollInterval)
        pollAgainAtOnce = false
    }

    /// A job squeue does not list: not yet (srun still waits to be queued), or no more.
    private func unlisted(_ cluster: ClusterJob) {
        if cluster.isSync {
            guard let srunEnd = cluster.srunEnd else { return }
            cluster.pollsUnlisted += 1
            guard cluster.pollsUnlisted >= 2 else { return }
            // srun ended and Slurm never had the job: it refused it.
            if cluster.placement.slurmJobID == nil, let error = cluster.srunError {
                end(cluster, .refused(error))
            } else {
                end(cluster, .ran(srunEnd))
            }
        } else if !cluster.isSubmitting {
            cluster.pollsUnlisted += 1
            guard cluster.pollsUnlisted >= 2 else { return }
            if let slurmJobID = cluster.placement.slurmJobID {
                // Past MinJobAge Slurm forgets a job: its end is not known any more.
                end(cluster, .ran(.signaled(9), endedBy: "slurm job \(slurmJobID) is gone from squeue; its end is unknown"))
            } else {
                // Taken back after a crash that came before sbatch ran: Slurm never had it.
                end(cluster, .cancelledBeforeStart(endedBy: "server restarted before Slurm took the job"))
            }
        }
    }

    private func pollFailed(_ message: String) {
        pollFailures += 1
        // Never ends a job: the controller may be down for a while. Back off, up to a minute.
        let delay = min(60, settings.pollInterval * Double(1 << min(pollFailures, 6)))
        logger.warning("squeue failed (\(pollFailures) in a row; next try in \(Timestamp.seconds(delay)) s): \(message)")
        schedulePoll(after: delay)
    }

    private func place(_ cluster: ClusterJob, _ placement: ClusterPlacement) {
        cluster.pollsUnlisted = 0
        guard placement != cluster.placement else { return }
        cluster.placement = placement
        onPlaced(cluster.id, placement)
    }

    private func readOutput(of cluster: ClusterJob) {
        for file in cluster.outputFiles {
            file.tail.readNew(into: readBuffer.bytes) { cluster.output($0, file.stream) }
        }
    }

    // MARK: Ending

    private func srunEnded(_ id: JobID, _ termination: Termination) {
        guard let cluster = jobs[id] else { return }
        cluster.srunEnd = termination
        pollSoon()
    }

    /// sbatch copies the script to the controller: the file is not needed once it has answered.
    private func removeBatchScript(of cluster: ClusterJob) {
        if let script = cluster.batchScript { removeFile(script) }
        cluster.batchScript = nil
    }

    private func end(_ cluster: ClusterJob, _ end: RunEnd) {
        guard jobs.removeValue(forKey: cluster.id) != nil else { return }
        removeBatchScript(of: cluster)
        readOutput(of: cluster)
        cluster.outputFiles.forEach { $0.tail.remove() }
        cluster.forceTimer = nil
        onEnded(cluster.id, end)
        if jobs.isEmpty { pollTimer = nil }
    }

    // MARK: Stopping

    package func stop(_ id: JobID) {
        guard let cluster = jobs[id], !cluster.isStopping else { return }
        cluster.isStopping = true
        if let slurmJobID = cluster.placement.slurmJobID {
            canceller.cancel(slurmJobID)
        } else if cluster.sbatchRuns {
            // Cancelled once sbatch answers: see `submitted`.
        } else if cluster.isSubmitting {
            // Not handed to Slurm yet, and no sbatch under way: nothing to cancel.
            end(cluster, .cancelledBeforeStart(endedBy: "cancelled before Slurm took it"))
            return
        } else {
            // Not listed yet: a sync job's srun that has just started or waits for its
            // allocation, or a job taken back after a crash that came before sbatch answered.
            canceller.cancel(named: settings.commands.slurmName(of: id))
        }
        guard cluster.isSync else { return }
        // srun is a process here: if the cancel has not ended it within the grace
        // period (no controller), it gets the server's SIGTERM, then SIGKILL.
        cluster.forceTimer = loop.timer(after: settings.killGrace) { [unowned self] in
            self.processes.stop(id)
        }
    }

    /// A second Ctrl-C: cancels everything now and reports every job as ended.
    package func stopAllNow() {
        processes.stopAllNow()
        let ids = jobs.values.compactMap(\.placement.slurmJobID)
        if !ids.isEmpty { canceller.cancelAtOnce(ids.sorted()) }
        for cluster in jobs.values.sorted(by: { $0.id < $1.id }) {
            let hasRun = cluster.srunEnd != nil || cluster.placement.node != nil
            end(cluster, hasRun ? .ran(cluster.srunEnd ?? .signaled(9)) : .cancelledBeforeStart(endedBy: "cancelled"))
        }
    }

    private func reportIdleIfSo() {
        if isIdle { onIdle() }
    }

    package func pauseOutput(of id: JobID) { processes.pauseOutput(of: id) }
    package func resumeOutput(of id: JobID) { processes.resumeOutput(of: id) }
}

extension Substring {
    fileprivate var trimmingNewline: Substring {
        var text = self
        while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
        return text
    }
}
