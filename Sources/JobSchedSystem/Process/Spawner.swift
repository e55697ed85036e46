import CSupport
import Glibc
import JobSchedModel
import Logging

/// Starts jobs from a small process of the server's own, so that each job's
/// peak memory (`max_rss_kb`) is its own and not the server's: Linux carries
/// the memory of the process that execs into the new program's `ru_maxrss`,
/// and posix_spawn's vfork execs from the server's. The spawner is forked at
/// the server's start, while the server is small; its jobs are still the
/// server's children (CLONE_PARENT). The C side is in `Modules/CSupport`.
///
/// A spawn is a request sent over a socket; the loop does not wait for it
/// (posix_spawn kept it waiting until the job's exec, a third of a
/// millisecond). Each new process answers with its pid, in the order of the
/// requests (`onAnswer`); one that then cannot exec (a command too long for
/// the system) says so before it exits (`lateFailure(of:)`). A spawner that
/// fails, or leaves a request unanswered for 5 s or more (stopped, say), is
/// let go: its requests without an answer are answered as failed, and jobs
/// start with posix_spawn from then on.
package final class Spawner {
    package let pid: pid_t
    private let socket: Int32
    private let logger: Logger
    private var loop: EventLoop?
    private var readEvent: Event?
    /// Armed while requests wait: fires when none was answered for `patience` seconds.
    private var answerDeadline: Event?
    private var answersAtDeadline = 0
    private var answers = 0
    private static let patience = 5.0
    private var isGone = false
    /// Its end was collected (`reaped`): its pid may now be another process's.
    private var isReaped = false
    /// Requests without their answer yet, oldest first: their tags.
    private var waiting: [Int64] = []
    private var nextWaiting = 0
    /// Processes that could not exec after their answer, by pid.
    private var lateFailures: [pid_t: Outcome] = [:]
    /// Each request's answer, with the tag it was made with, in request order.
    package var onAnswer: (Int64, Outcome) -> Void = { _, _ in }

    private init(pid: pid_t, socket: Int32, logger: Logger) {
        self.pid = pid
        self.socket = socket
        self.logger = logger
    }

    deinit { close(socket) }

    /// Forks the spawner; nil if it cannot be started. Call it before the
    /// server grows, and before it raises its descriptor limit: the spawner
    /// keeps the limit it is forked with, and its jobs inherit it.
    package static func start(logger: Logger) -> Spawner? {
        var socket: Int32 = -1
        let pid = jobsched_spawner_start(&socket, ServerProcess.schedulingSlice)
        guard pid > 0 else {
            logger.warning("cannot start the job spawner (\(errnoText())): jobs start from the server, and their MAX RSS may be the server's")
            return nil
        }
        return Spawner(pid: pid, socket: socket, logger: logger)
    }

    /// Reads the answers as they come, on `loop`.
    package func attach(to loop: EventLoop) {
        self.loop = loop
        readEvent = loop.readEvent(fd: socket) { [unowned self] in self.readAvailable() }
        readEvent?.add()
    }

    /// What a spawn gave: a pid, or the errno and the stage that failed.
    package struct Outcome {
        package let pid: pid_t
        package let error: Int32
        package let stage: Stage

        package init(pid: pid_t, error: Int32, stage: Stage) {
            (self.pid, self.error, self.stage) = (pid, error, stage)
        }
    }

    package enum Stage { case none, output, directory, exec, clone, spawnerGone, affinity, cgroup }

    /// Asks for a process; its answer comes to `onAnswer` with `tag`. False
    /// if the spawner is gone (the caller starts the process another way).
    package func request(tag: Int64, executable: String, argv: [UnsafeMutablePointer<CChar>?],
                         envp: [UnsafeMutablePointer<CChar>?], directory: String?, stdout: Int32?, stderr: Int32?,
                         cpuIDs: [Int] = [], cgroup: JobCgroup? = nil) -> Bool {
        guard !isGone else { return false }
        let ids = cpuIDs.map(Int32.init)
        let sent = jobsched_spawner_request(socket, executable, argv, envp, directory, stdout ?? -1, stderr ?? -1, ids, Int32(ids.count),
                                            cgroup?.processes)
        guard sent == 0 else {
            letGo(because: String(cString: strerror(sent)))
            return false
        }
        waiting.append(tag)
        if answerDeadline == nil { armAnswerDeadline() }
        return true
    }

    private func armAnswerDeadline() {
        answersAtDeadline = answers
        answerDeadline = loop?.timer(after: Spawner.patience) { [unowned self] in
            self.answerDeadline = nil
            guard nextWaiting < waiting.count else { return }
            if answers == answersAtDeadline {
                letGo(because: "it left a request unanswered for \(Int(Spawner.patience)) s")
            } else {
                armAnswerDeadline()
            }
        }
    }

    /// Handles every answer and failure that has come, now: a process the
    /// server reaps may have been answered in this same loop iteration.
    package func readAvailable() {
        guard !isGone else { return }
        if !readMessages() { letGo(because: "it closed its socket") }
    }

    /// Reads every message that has come; false at the socket's end.
    private func readMessages() -> Bool {
        while true {
            var kind: Int32 = 0, child: pid_t = 0, error: Int32 = 0, stage: Int32 = 0
            let got = jobsched_spawner_receive(socket, &kind, &child, &error, &stage)
            guard got == 1 else { return got == 0 }
            let outcome = Outcome(pid: child, error: error, stage: Spawner.stage(stage))
            if kind == JOBSCHED_SPAWNER_LATE_FAILURE {
                lateFailures[child] = outcome
            } else if nextWaiting < waiting.count {
                let tag = waiting[nextWaiting]
                nextWaiting += 1
                answers += 1
                if nextWaiting == waiting.count { (waiting, nextWaiting, answerDeadline) = ([], 0, nil) }
                onAnswer(tag, outcome)
            }
        }
    }

    /// Why a process the spawner started could not exec, if it could not (its
    /// exit is then no job's end): told before it exited, so asked when it is reaped.
    package func lateFailure(of child: pid_t) -> Outcome? {
        readAvailable()
        return lateFailures.removeValue(forKey: child)
    }

    /// A child the server reaped; true if it was the spawner (which should live as long as the server).
    package func reaped(_ child: pid_t) -> Bool {
        guard child == pid else { return false }
        isReaped = true
        if !isGone { letGo(because: "it exited") }
        return true
    }

    /// The server is exiting: the spawner ends now and is collected here, not
    /// left to end on its own (its parent-death signal) and wait for init to
    /// collect it. It runs nothing by then.
    package func end() {
        guard !isReaped else { return }
        kill(pid, SIGKILL)
        while waitpid(pid, nil, 0) < 0 && errno == EINTR {}
        isReaped = true
    }

    /// Its requests still unanswered are answered `.spawnerGone`: no process
    /// has them (one that had would have answered first, and what came is read).
    private func letGo(because reason: String) {
        isGone = true
        kill(pid, SIGKILL)
        _ = readMessages()
        (readEvent, answerDeadline) = (nil, nil)
        logger.warning("the job spawner failed (\(reason)): jobs start from the server from now on, and their MAX RSS may be the server's")
        let unanswered = waiting[nextWaiting...]
        (waiting, nextWaiting) = ([], 0)
        for tag in unanswered { onAnswer(tag, Outcome(pid: 0, error: EPIPE, stage: .spawnerGone)) }
    }

    private static func stage(_ code: Int32) -> Stage {
        switch Int(code) {
        case JOBSCHED_SPAWN_FAILED_OUTPUT: .output
        case JOBSCHED_SPAWN_FAILED_DIRECTORY: .directory
        case JOBSCHED_SPAWN_FAILED_EXEC: .exec
        case JOBSCHED_SPAWN_FAILED_CLONE, JOBSCHED_SPAWN_FAILED_REQUEST: .clone
        case JOBSCHED_SPAWN_FAILED_AFFINITY: .affinity
        case JOBSCHED_SPAWN_FAILED_CGROUP: .cgroup
        default: .none
        }
    }
}
