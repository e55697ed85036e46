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
/// A spawn is a request over a socket and its answer, made while the loop
/// waits, as it waits for posix_spawn's vfork. A spawner that fails or stops
/// answering is let go, and jobs start with posix_spawn from then on.
package final class Spawner {
    package let pid: pid_t
    private let socket: Int32
    private let logger: Logger
    private var isGone = false

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

    /// What a spawn gave: a pid, or the errno and the stage that failed;
    /// nil when the spawner itself failed (the caller starts the job another way).
    package struct Outcome {
        package let pid: pid_t
        package let error: Int32
        package let stage: Stage
    }

    package enum Stage { case none, output, directory, exec, clone }

    package func spawn(executable: String, argv: [UnsafeMutablePointer<CChar>?], envp: [UnsafeMutablePointer<CChar>?],
                       directory: String?, stdout: Int32?, stderr: Int32?) -> Outcome? {
        guard !isGone else { return nil }
        var pid: pid_t = 0
        var stage: Int32 = 0
        let error = jobsched_spawner_spawn(socket, executable, argv, envp, directory, stdout ?? -1, stderr ?? -1, &pid, &stage)
        switch Int(stage) {
        case JOBSCHED_SPAWN_FAILED_NONE: return Outcome(pid: pid, error: error, stage: .none)
        case JOBSCHED_SPAWN_FAILED_OUTPUT: return Outcome(pid: pid, error: error, stage: .output)
        case JOBSCHED_SPAWN_FAILED_DIRECTORY: return Outcome(pid: pid, error: error, stage: .directory)
        case JOBSCHED_SPAWN_FAILED_EXEC: return Outcome(pid: pid, error: error, stage: .exec)
        case JOBSCHED_SPAWN_FAILED_CLONE: return Outcome(pid: pid, error: error, stage: .clone)
        default:
            letGo(because: String(cString: strerror(error)))
            return nil
        }
    }

    /// A child the server reaped; true if it was the spawner (which should live as long as the server).
    package func reaped(_ child: pid_t) -> Bool {
        guard child == pid else { return false }
        if !isGone { letGo(because: "it exited") }
        return true
    }

    private func letGo(because reason: String) {
        isGone = true
        kill(pid, SIGKILL)
        logger.warning("the job spawner failed (\(reason)): jobs start from the server from now on, and their MAX RSS may be the server's")
    }
}
