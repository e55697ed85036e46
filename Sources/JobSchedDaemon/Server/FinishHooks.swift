import JobSchedModel
import JobSchedSystem
import Logging

/// `--on-finish 'BASH LINE'`: run for every job that ends (success, failed,
/// killed), as a child of the server like a job (a process group of its own,
/// none of the server's descriptors), with the job in its environment. Hooks
/// do not count against `-j`: at most `limit` run at once, the others wait in
/// order (only their job ids: a million waiting hooks are 8 MB), and each is
/// stopped after `timeout`. A hook that fails or hangs is logged at warning;
/// it never touches a job, a reply or the server. A shutdown stops the hooks
/// as it stops jobs (SIGTERM, SIGKILL after the grace) and waits until their
/// processes are collected (`isIdle`), so none is left to init.
final class FinishHooks {
    /// What a hook finds in `JOBSCHED_JOB_OUTPUT_TAIL`: the end of the job's output, from a line's start.
    static let tailBytes = 4096

    private let settings: ServerConfiguration.OnFinish
    private let loop: EventLoop
    private let commands: CommandRunner
    private let store: JobStore
    private let spool: Spool
    private let logger: Logger
    private let killer: ProcessGroupKiller
    /// Ended jobs whose hook has not started, oldest first (`next` is the first not taken).
    private var waiting: [JobID] = []
    private var next = 0
    /// Running hooks, by pid: their job, and their timeout.
    private var running: [Int32: (job: JobID, deadline: Event)] = [:]
    private var isStopped = false
    /// Called when the last hook has ended and been collected.
    var onIdle: () -> Void = {}

    init(settings: ServerConfiguration.OnFinish, loop: EventLoop, commands: CommandRunner, store: JobStore, spool: Spool,
         killGrace: Double, logger: Logger) {
        (self.settings, self.loop, self.commands, self.store, self.spool, self.logger) = (settings, loop, commands, store, spool, logger)
        killer = ProcessGroupKiller(loop: loop, grace: killGrace)
        killer.onIdle = { [unowned self] in if isIdle { onIdle() } }
    }

    /// No hook runs, and no stopped hook's process group is left.
    var isIdle: Bool { running.isEmpty && killer.isIdle }

    /// A job has ended: its hook runs when one of the `limit` is free.
    func jobEnded(_ id: JobID) {
        guard !isStopped else { return }
        waiting.append(id)
        startWaiting()
    }

    /// The server is shutting down: no more hooks start, and those running are stopped.
    func stop() {
        isStopped = true
        (waiting, next) = ([], 0)
        for pid in running.keys { killer.terminate(group: pid) }
    }

    /// A second Ctrl-C: the stopped hooks get their SIGKILL now.
    func killNow() { killer.killAllNow() }

    /// After each round of reaping: the stopped hooks' groups that have emptied need no SIGKILL.
    func forgetEmptyGroups() { killer.forgetEmptyGroups() }

    private func startWaiting() {
        while running.count < settings.limit && next < waiting.count {
            let id = waiting[next]
            next += 1
            start(id)
        }
        // The taken ids are let go a few at a time, not moved on every start.
        if next == waiting.count {
            (waiting, next) = ([], 0)
        } else if next > 4096 && next * 2 > waiting.count {
            waiting.removeFirst(next)
            next = 0
        }
    }

    private func start(_ id: JobID) {
        let job: Job
        do {
            guard let stored = try store.job(id) else { return logger.info("on-finish hook of job \(id): the job is gone (removed)") }
            job = stored
        } catch {
            return logger.warning("on-finish hook of job \(id): cannot read the job: \(error.message)")
        }
        let tail = spool.directory + "/\(id).hook-tail"
        do {
            try writeWholeFile(tail, bytes: outputTail(of: id), mode: 0o600)
        } catch {
            logger.warning("on-finish hook of job \(id): cannot write its output tail: \(error)")
        }
        let pid: Int32
        do {
            pid = try commands.run(["bash", "-c", settings.command], environment: FinishHooks.environment(of: job, tail: tail)) {
                [unowned self] result in self.ended(id, result, tail: tail)
            }
        } catch {
            removeFile(tail)
            return logger.warning("on-finish hook of job \(id) could not start: \(error.message)")
        }
        running[pid] = (id, loop.timer(after: settings.timeout) { [unowned self] in
            logger.warning("on-finish hook of job \(id) still ran after \(Timestamp.seconds(settings.timeout)) s (--on-finish-timeout): stopped")
            killer.terminate(group: pid)
        })
    }

    private func ended(_ id: JobID, _ result: CommandRunner.Result, tail: String) {
        removeFile(tail)
        if let (pid, _) = running.first(where: { $0.value.job == id }) { running[pid] = nil }
        killer.forgetEmptyGroups()
        // Those the exiting server killed did not fail of themselves.
        if !result.succeeded && !isStopped {
            logger.warning("on-finish hook of job \(id) failed: \(Excerpt.plain(result.failure, limit: 300))")
        }
        startWaiting()
        if isIdle { onIdle() }
    }

    /// The job, as the hook gets it.
    static func environment(of job: Job, tail: String) -> [String] {
        let runtime = job.started.map { Timestamp.seconds((job.finished ?? $0) - $0) } ?? ""
        return [
            "JOBSCHED_JOB_ID=\(job.id)", "JOBSCHED_JOB_NAME=\(job.name)", "JOBSCHED_JOB_GROUP=\(job.group)",
            "JOBSCHED_JOB_STATUS=\(job.status.rawValue)", "JOBSCHED_JOB_RETURNCODE=\(job.returncode.map(String.init) ?? "")",
            "JOBSCHED_JOB_RUNTIME=\(runtime)", "JOBSCHED_JOB_COMMAND=\(job.command)", "JOBSCHED_JOB_MSG=\(job.msg)",
            "JOBSCHED_JOB_OUTPUT_TAIL=\(tail)",
        ]
    }

    /// The last `tailBytes` of the job's output (both streams), from the start of a line.
    private func outputTail(of id: JobID) -> [UInt8] {
        let output = (try? store.output(id))??.bytes(of: .both) ?? spool.tail(id, .both, bytes: FinishHooks.tailBytes)
        let end = output.suffix(FinishHooks.tailBytes)
        guard output.count > FinishHooks.tailBytes, let newline = end.firstIndex(of: UInt8(ascii: "\n")) else { return Array(end) }
        return Array(end[end.index(after: newline)...])
    }
}
