import JobSchedModel
import JobSchedSystem

/// Runs each job as `bash -c COMMAND` on this machine (from the spawner), leader
/// of its own process group, its output read from pipes on the event loop.
/// Stopping a job is SIGTERM to its group, then SIGKILL after the grace.
package final class LocalExecutor: Executor {
    package var onEnded: (JobID, RunEnd) -> Void = { _, _ in }
    /// Never called: a local job's process id is all there is to know.
    package var onPlaced: (JobID, ClusterPlacement) -> Void = { _, _ in }
    package var onIdle: () -> Void {
        get { groupKiller.onIdle }
        set { groupKiller.onIdle = newValue }
    }
    package var isIdle: Bool { groupKiller.isIdle }
    /// A job runs as soon as it is started.
    package var hasOwnQueue: Bool { false }

    private struct Running {
        let id: JobID
        var pumps: [OutputPump]
    }

    private let loop: EventLoop
    private let groupKiller: ProcessGroupKiller
    /// The database file's absolute path, which marks its jobs' processes.
    private let databaseFile: String
    private let descriptorLimit: DescriptorLimit
    /// Where job processes start from, so that their peak memory is their own.
    private let spawner: Spawner?
    private let pipeBuffer = OutputPump.Buffer()
    private var running: [Int32: Running] = [:]
    private var pidByJob: [JobID: Int32] = [:]

    package init(loop: EventLoop, killGrace: Double, databaseFile: String, descriptorLimit: DescriptorLimit,
                 spawner: Spawner? = nil) {
        self.loop = loop
        self.databaseFile = databaseFile
        self.descriptorLimit = descriptorLimit
        self.spawner = spawner
        groupKiller = ProcessGroupKiller(loop: loop, grace: killGrace)
    }

    package func start(_ job: Job, plan: OutputPlan,
                       output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32? {
        try start(job.id, arguments: ["bash", "-c", job.command], executable: "/bin/bash", directory: job.cwd,
                  environment: JobEnvironment.entries(jobID: job.id, database: databaseFile, requested: job.env),
                  plan: plan, output: output)
    }

    /// A local job's processes end with the server.
    package func adopt(_ job: Job, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) -> Bool { false }

    /// Starts the process that runs job `id`: bash here, `srun` for the Slurm executor's sync jobs.
    package func start(_ id: JobID, arguments: [String], executable: String? = nil, directory: String? = nil,
                       environment: [String], plan: OutputPlan,
                       output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) throws(ExecutorError) -> Int32 {
        let process: LaunchedProcess
        do {
            process = try ProcessLauncher.launch(
                arguments: arguments, executable: executable, directory: directory, environment: environment,
                stdout: plan.stdout, stderr: plan.stderr, descriptorLimit: descriptorLimit, spawner: spawner)
        } catch {
            throw ExecutorError(message: error.message)
        }
        groupKiller.forget(reusedPID: process.pid)
        var pumps: [OutputPump] = []
        for (fd, stream) in [(process.stdoutFD, plan.firstPipeStream), (process.stderrFD, .stderr)] {
            guard let fd, let stream else { continue }
            pumps.append(OutputPump(loop: loop, fd: fd, buffer: pipeBuffer) { bytes in output(bytes, stream) })
        }
        running[process.pid] = Running(id: id, pumps: pumps)
        pidByJob[id] = process.pid
        return process.pid
    }

    package func stop(_ id: JobID) {
        if let pid = pidByJob[id] { groupKiller.terminate(group: pid) }
    }

    package func stopAllNow() { groupKiller.killAllNow() }

    package func pauseOutput(of id: JobID) { pumps(of: id).forEach { $0.pause() } }
    package func resumeOutput(of id: JobID) { pumps(of: id).forEach { $0.resume() } }

    private func pumps(of id: JobID) -> [OutputPump] {
        pidByJob[id].flatMap { running[$0]?.pumps } ?? []
    }

    /// A child the server reaped; false if it is not a job's main process.
    /// Its output is read to the end before its end is reported.
    package func reaped(_ pid: Int32, _ termination: Termination, usage: ResourceUsage?) -> Bool {
        guard let run = running.removeValue(forKey: pid) else { return false }
        pidByJob[run.id] = nil
        run.pumps.forEach { $0.drainAndClose() }
        // Processes the job left in its group do not outlive it.
        groupKiller.terminate(group: pid)
        onEnded(run.id, .ran(termination, usage: usage))
        return true
    }

    /// After each round of reaping: the groups that have emptied need no SIGKILL.
    package func forgetEmptyGroups() { groupKiller.forgetEmptyGroups() }
}
