import JobSchedModel
import JobSchedSystem

/// Runs each job as `bash -c COMMAND` on this machine, leader of its own
/// process group, its output read from pipes on the event loop. Jobs start
/// from the spawner (their peak memory is their own), which gives their pid
/// a moment later: that comes to the runner as a placement. Stopping a job is
/// SIGTERM to its group, then SIGKILL after the grace. A job is held to its
/// `mem=` here (`MemoryLimits`): one over it is stopped so, and ends `killed`
/// with the reason.
package final class LocalExecutor: Executor {
    package var onEnded: (JobID, RunEnd) -> Void = { _, _ in }
    /// A job's pid, once the spawner has given it.
    package var onPlaced: (JobID, ClusterPlacement) -> Void = { _, _ in }
    package var onIdle: () -> Void {
        get { groupKiller.onIdle }
        set { groupKiller.onIdle = newValue }
    }
    package var isIdle: Bool { groupKiller.isIdle }
    /// A job runs as soon as it is started.
    package var hasOwnQueue: Bool { false }
    package var readsOnAfterRestart: Bool { false }

    private final class Run {
        let pumps: [OutputPump]
        /// What was started, to say why if it could not be after all.
        let program: String
        let directory: String?
        /// nil until the spawner answers.
        var pid: Int32?
        /// A stop asked before the pid was known: done when it is.
        var isStopping = false
        /// Starts it from the server, if the spawner went before starting it.
        let startAgain: () throws(ExecutorError) -> Int32?
        /// Why it was stopped for its memory, if it was: its end says so.
        var overMemory: String?

        init(pumps: [OutputPump], program: String, directory: String?, pid: Int32?,
             startAgain: @escaping () throws(ExecutorError) -> Int32?) {
            (self.pumps, self.program, self.directory, self.pid, self.startAgain) = (pumps, program, directory, pid, startAgain)
        }
    }

    private let loop: EventLoop
    private let groupKiller: ProcessGroupKiller
    /// The database file's absolute path, which marks its jobs' processes.
    private let databaseFile: String
    private let descriptorLimit: DescriptorLimit
    /// Where job processes start from, so that their peak memory is their own.
    private let spawner: Spawner?
    private let memoryLimits: MemoryLimits
    private let pipeBuffer = OutputPump.Buffer()
    private var runs: [JobID: Run] = [:]
    private var jobByPID: [Int32: JobID] = [:]

    /// `memoryCgroups`: where jobs with `mem=` get a cgroup each; nil: they are sampled.
    package init(loop: EventLoop, turns: Turns, killGrace: Double, databaseFile: String, descriptorLimit: DescriptorLimit,
                 spawner: Spawner? = nil, memoryCgroups: MemoryCgroups? = nil) {
        self.loop = loop
        self.databaseFile = databaseFile
        self.descriptorLimit = descriptorLimit
        self.spawner = spawner
        groupKiller = ProcessGroupKiller(loop: loop, grace: killGrace)
        memoryLimits = MemoryLimits(loop: loop, turns: turns, cgroups: memoryCgroups)
        spawner?.onAnswer = { [unowned self] id, outcome in self.answered(id, outcome) }
        spawner?.attach(to: loop)
        memoryLimits.onExceeded = { [unowned self] id, reason in self.stop(id, overMemory: reason) }
    }

    package func start(_ job: Job, environment: BaseEnvironment, plan: OutputPlan,
                       output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32? {
        let cgroup = try job.resources.mem.flatMap { limit throws(ExecutorError) in try memoryLimits.prepare(job.id, limit: limit) }
        do {
            return try start(job.id, arguments: ["bash", "-c", job.command], executable: "/bin/bash", directory: job.cwd,
                             environment: JobEnvironment.entries(of: job, database: databaseFile), base: environment,
                             cpuIDs: job.allocation?.cpuIDs ?? [], cgroup: cgroup, plan: plan, output: output)
        } catch {
            _ = memoryLimits.ended(job.id)
            throw error
        }
    }

    /// A local job's processes end with the server.
    package func adopt(_ job: Job, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) -> Bool { false }

    /// Starts the process that runs job `id`: bash here, `srun` for the Slurm
    /// executor's sync jobs. Its pid, or nil when it comes with `onPlaced`.
    package func start(_ id: JobID, arguments: [String], executable: String? = nil, directory: String? = nil,
                       environment: [String], base: BaseEnvironment = .server, cpuIDs: [Int] = [], cgroup: JobCgroup? = nil,
                       plan: OutputPlan,
                       output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32? {
        let process: LaunchedProcess
        do {
            process = try ProcessLauncher.launch(
                arguments: arguments, executable: executable, directory: directory, environment: environment, base: base,
                cpuIDs: cpuIDs, cgroup: cgroup, stdout: plan.stdout, stderr: plan.stderr,
                from: spawner.map { .spawner($0, tag: id) } ?? .server(descriptorLimit))
        } catch {
            throw ExecutorError(message: error.message)
        }
        var pumps: [OutputPump] = []
        for (fd, stream) in [(process.stdoutFD, plan.firstPipeStream), (process.stderrFD, .stderr)] {
            guard let fd, let stream else { continue }
            pumps.append(OutputPump(loop: loop, fd: fd, buffer: pipeBuffer) { bytes in output(bytes, stream) })
        }
        runs[id] = Run(pumps: pumps, program: arguments[0], directory: directory, pid: process.pid) {
            [unowned self] () throws(ExecutorError) -> Int32? in
            try start(id, arguments: arguments, executable: executable, directory: directory,
                      environment: environment, base: base, cpuIDs: cpuIDs, cgroup: cgroup, plan: plan, output: output)
        }
        if let pid = process.pid { running(id, as: pid) }
        return process.pid
    }

    private func running(_ id: JobID, as pid: Int32) {
        groupKiller.forget(reusedPID: pid)
        jobByPID[pid] = id
        memoryLimits.started(id, group: pid)
    }

    /// The spawner's answer for job `id`: its pid, or why it could not start.
    private func answered(_ id: JobID, _ outcome: Spawner.Outcome) {
        guard let run = runs[id] else { return }
        guard outcome.error == 0 else {
            runs[id] = nil
            run.pumps.forEach { $0.drainAndClose() }
            if outcome.stage == .spawnerGone {
                startAgain(id, run)
            } else {
                _ = memoryLimits.ended(id)
                onEnded(id, .refused(ProcessLauncher.failureMessage(outcome, program: run.program, directory: run.directory)))
            }
            return
        }
        run.pid = outcome.pid
        running(id, as: outcome.pid)
        if run.isStopping { groupKiller.terminate(group: outcome.pid) }
        onPlaced(id, ClusterPlacement(pid: outcome.pid))
    }

    /// The spawner went with job `id`'s request unserved: no process has
    /// it, so it starts again, from the server now.
    private func startAgain(_ id: JobID, _ run: Run) {
        guard !run.isStopping else {
            _ = memoryLimits.ended(id)
            return onEnded(id, .cancelledBeforeStart(endedBy: "stopped before it started"))
        }
        do {
            if let pid = try run.startAgain() { onPlaced(id, ClusterPlacement(pid: pid)) }
        } catch {
            _ = memoryLimits.ended(id)
            onEnded(id, .refused(error.message))
        }
    }

    package func stop(_ id: JobID) {
        guard let run = runs[id] else { return }
        if let pid = run.pid { groupKiller.terminate(group: pid) } else { run.isStopping = true }
    }

    /// Stops a job over its `mem=`; its end gives the reason.
    private func stop(_ id: JobID, overMemory reason: String) {
        guard let run = runs[id], run.overMemory == nil else { return }
        run.overMemory = reason
        stop(id)
    }

    package func stopAllNow() {
        groupKiller.killAllNow()
        // Those still without a pid are killed at their answer.
        for run in runs.values where run.pid == nil { run.isStopping = true }
    }

    package func pauseOutput(of id: JobID) { runs[id]?.pumps.forEach { $0.pause() } }
    package func resumeOutput(of id: JobID) { runs[id]?.pumps.forEach { $0.resume() } }

    /// A child the server reaped; false if it is not a job's main process.
    /// Its output is read to the end before its end is reported.
    package func reaped(_ pid: Int32, _ termination: Termination, usage: ResourceUsage?) -> Bool {
        // Its answer may not have been read yet: it came before the process could end.
        if jobByPID[pid] == nil { spawner?.readAvailable() }
        guard let id = jobByPID.removeValue(forKey: pid), let run = runs.removeValue(forKey: id) else { return false }
        run.pumps.forEach { $0.drainAndClose() }
        // Processes the job left in its group do not outlive it.
        groupKiller.terminate(group: pid)
        let stoppedByKernel = memoryLimits.ended(id)
        // 127 is also what a process that could not exec after its answer exits with.
        if termination == .exited(127), let failure = spawner?.lateFailure(of: pid) {
            onEnded(id, .refused(ProcessLauncher.failureMessage(failure, program: run.program, directory: run.directory)))
        } else {
            onEnded(id, .ran(termination, endedBy: run.overMemory ?? stoppedByKernel, usage: usage))
        }
        return true
    }

    /// After each round of reaping: the groups that have emptied need no
    /// SIGKILL, and the memory cgroups that have emptied go.
    package func forgetEmptyGroups() {
        groupKiller.forgetEmptyGroups()
        memoryLimits.removeEmptiedCgroups()
    }

    /// As the server exits, its jobs ended: their memory cgroups' folder goes too.
    package func removeMemoryCgroups() { memoryLimits.removeCgroups() }
}
