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
    /// A job waits in Slurm's queue until Slurm runs it.
    package var hasOwnQueue: Bool { true }
    package var readsOnAfterRestart: Bool { true }

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

    let loop: EventLoop
    let settings: Settings
    let commands: CommandRunner
    /// Runs the sync jobs' `srun` processes, as local jobs' bash.
    let processes: LocalExecutor
    let canceller: SlurmCanceller
    let logger: Logger
    let readBuffer = OutputPump.Buffer()
    var jobs: [JobID: ClusterJob] = [:]
    /// Jobs waiting to run `sbatch`, first come first served (from `submitQueueHead` on).
    var submitQueue: [ClusterJob] = []
    var submitQueueHead = 0
    var submitting = 0
    var pollTimer: Event?
    var isPolling = false
    var pollAgainAtOnce = false
    var pollFailures = 0
    /// Polls begun so far: a doubt is settled only by polls begun after it.
    var pollsStarted = 0

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
            switch end {
            case .ran(let termination, _, _): self.srunEnded(id, termination)
            // srun could not be started after all (it is started by the spawner, which answers later).
            case .refused: if let cluster = self.jobs[id] { self.end(cluster, end) }
            default: break
            }
        }
        // srun's pid, from the spawner.
        processes.onPlaced = { [unowned self] id, placement in self.onPlaced(id, placement) }
        processes.onIdle = { [unowned self] in self.reportIdleIfSo() }
    }

    // MARK: Starting

    package func start(_ job: Job, environment: BaseEnvironment, plan: OutputPlan,
                       output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32? {
        if job.sync {
            let cluster = ClusterJob(of: job, output: output)
            let pid = try processes.start(
                job.id, arguments: settings.commands.srun(job),
                // srun carries the server's mark: a restart kills what a crash left of a sync job.
                environment: JobEnvironment.entries(of: job, database: settings.databaseFile),
                base: environment, plan: plan) { [unowned cluster] bytes, stream in
                    // srun's refusal comes before Slurm lists the job; later output is the job's.
                    if cluster.placement.slurmJobID == nil { cluster.noteSrunError(bytes) }
                    cluster.output(bytes, stream)
                }
            track(cluster)
            return pid
        }
        let cluster = ClusterJob(of: job, output: output)
        // Slurm takes a relative path from the job's directory; jobsched's outlog is from the server's.
        let stdout = job.outlog.map(fromServerDirectory) ?? outputPath(job.id, "out")
        let stderr = job.errlog.map(fromServerDirectory) ?? outputPath(job.id, "err")
        // A previous attempt's files go: this one's are read from their start.
        let files = ownOutputFiles(of: job)
        files.forEach { removeFile($0.path) }
        removeFile(outputPath(job.id, "read"))
        cluster.tailOutputFiles(files, readOffsetsFile: outputPath(job.id, "read"))
        let script = outputPath(job.id, "sh")
        do {
            try writeWholeFile(script, SlurmCommands.batchScript(job.command))
        } catch {
            throw ExecutorError(message: "cannot write the batch script \(Excerpt.quoted(script)): \(error.description)")
        }
        cluster.batchScript = script
        cluster.submission = (settings.commands.sbatch(job, script: script, stdout: stdout, stderr: stderr),
                              JobEnvironment.entries(of: job, database: nil), environment)
        track(cluster)
        queueSubmission(cluster)
        return nil
    }

    /// The files Slurm writes an async job's output to when it has no
    /// `outlog`/`errlog` of its own, and the stream each is.
    func ownOutputFiles(of job: Job) -> [(path: String, stream: JobOutputStream)] {
        (job.outlog == nil ? [(outputPath(job.id, "out"), .stdout)] : []) + (job.errlog == nil ? [(outputPath(job.id, "err"), .stderr)] : [])
    }

    /// A job's file in the output directory: its output (`out`, `err`), how far
    /// that was read (`read`), its batch script (`sh`).
    func outputPath(_ id: JobID, _ suffix: String) -> String {
        settings.outputDirectory + "/" + String(id) + "." + suffix
    }

    func fromServerDirectory(_ path: String) -> String {
        path.hasPrefix("/") ? path : settings.serverDirectory + "/" + path
    }

    func track(_ cluster: ClusterJob) {
        jobs[cluster.id] = cluster
        if pollTimer == nil && !isPolling { schedulePoll(after: settings.pollInterval) }
    }

    /// Takes back a job of a previous run of the server. An async job runs on,
    /// its output read on from its files; a sync job's `srun` and client went with
    /// that run, so its Slurm job is cancelled, and it ends once Slurm says so.
    package func adopt(_ job: Job, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) -> Bool {
        let cluster = job.sync ? ClusterJob(leftover: job) : ClusterJob(of: job, output: output)
        cluster.placement = ClusterPlacement(slurmJobID: job.slurmJobID, node: job.node, state: job.slurmState,
                                             hasBegun: job.started != nil)
        // The crash came before Slurm's answer: Slurm may have the job or not. (A found one is cancelled then.)
        cluster.mayBeInSlurm = job.slurmJobID == nil
        cluster.doubtSincePoll = pollsStarted
        if job.sync {
            job.slurmJobID.map(canceller.cancel)
        } else {
            // Its output files are read on from where the previous run had spooled them.
            cluster.tailOutputFiles(ownOutputFiles(of: job), readOffsetsFile: outputPath(job.id, "read"))
        }
        track(cluster)
        return true
    }

    // MARK: Ending

    func end(_ cluster: ClusterJob, _ end: RunEnd) {
        guard jobs.removeValue(forKey: cluster.id) != nil else { return }
        removeBatchScript(of: cluster)
        readOutput(of: cluster)
        cluster.outputFiles.forEach { $0.tail.remove() }
        cluster.readOffsetsFile.map(removeFile)
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
        } else if cluster.sbatchRuns || cluster.mayBeInSlurm {
            // Cancelled once its Slurm id is known: see `submitted` and `foundInSlurm`.
        } else if cluster.isSubmitting {
            // Not handed to Slurm yet, and no sbatch under way: nothing to cancel.
            end(cluster, .cancelledBeforeStart(endedBy: "cancelled before Slurm took it"))
            return
        } else {
            // A sync job's srun, not listed yet: it has just started or waits for its allocation.
            canceller.cancel(named: settings.commands.slurmName(of: id, attempt: cluster.attempt))
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
        for cluster in jobs.values where cluster.mayBeInSlurm {
            canceller.cancel(named: settings.commands.slurmName(of: cluster.id, attempt: cluster.attempt))
        }
        for cluster in jobs.values.sorted(by: { $0.id < $1.id }) {
            if let srunEnd = cluster.srunEnd {
                end(cluster, .ran(srunEnd))
            } else if cluster.placement.hasBegun {
                end(cluster, .lost(endedBy: "cancelled; the server did not wait for its end"))
            } else {
                end(cluster, .cancelledBeforeStart(endedBy: "cancelled"))
            }
        }
    }

    func reportIdleIfSo() {
        if isIdle { onIdle() }
    }

    package func pauseOutput(of id: JobID) { processes.pauseOutput(of: id) }
    package func resumeOutput(of id: JobID) { processes.resumeOutput(of: id) }
}
