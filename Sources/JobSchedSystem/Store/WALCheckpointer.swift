import Glibc
import Logging
import JobSchedModel

/// Keeps the write-ahead log short without making the event loop wait for the
/// disk.
///
/// A checkpoint copies the log into the database file and waits for fsync
/// twice: tens of milliseconds under load, once every 1000 frames. SQLite
/// would run it inside the commit that crosses the mark, stalling every
/// client. Here a helper process (`jobsched wal-checkpoint DBFILE`) runs it
/// while the loop goes on serving: a passive checkpoint needs no lock that
/// the server's commits wait for. If the helper cannot be started or fails,
/// the checkpoint runs in the loop after all, so the log never grows without
/// bound.
public final class WALCheckpointer {
    private let command: [String]
    private let store: JobStore
    private let logger: Logger
    private var schedule = CheckpointSchedule()
    private var helper: (pid: pid_t, started: Double)?
    private var isStopped = false
    /// Called when the helper has ended.
    package var onIdle: () -> Void = {}

    /// `command`: the helper's argv, to which the database path is added.
    package init(command: [String], databasePath: String, store: JobStore, logger: Logger) {
        self.command = command + [databasePath]
        self.store = store
        self.logger = logger
        store.takeOverCheckpoints()
    }

    package var isIdle: Bool { helper == nil }
    package var helperPID: pid_t? { helper?.pid }

    /// Told after each commit: starts the helper when the log is due.
    package func committed() {
        guard !isStopped, schedule.isDue(frames: store.walFrames, running: helper != nil) else { return }
        do {
            helper = (try ProcessLauncher.launchHelper(command), Clock.now())
        } catch {
            logger.warning("cannot start the checkpoint process (\(error.message)); checkpointing in the server")
            checkpointHere()
        }
    }

    /// At shutdown: no new helper, and a running one is killed rather than
    /// waited for (a disk that stalls must not stall the exit). A checkpoint
    /// cut short is harmless: the log still holds every page, and closing the
    /// database at exit checkpoints it.
    package func stop() {
        isStopped = true
        if let helper { kill(helper.pid, SIGKILL) }
    }

    /// Takes a reaped child if it is the helper; false for any other.
    package func reaped(_ pid: pid_t, _ termination: Termination) -> Bool {
        guard let helper, helper.pid == pid else { return false }
        self.helper = nil
        if isStopped {
            logger.debug("WAL checkpoint process \(pid) stopped for shutdown")
        } else if termination == .exited(0) {
            let milliseconds = Int((Clock.now() - helper.started) * 1000)
            logger.debug("WAL checkpoint by process \(pid) done in \(milliseconds) ms")
        } else {
            logger.warning("WAL checkpoint process \(pid) failed (returncode \(termination.returncode)); checkpointing in the server")
            checkpointHere()
        }
        onIdle()
        return true
    }

    private func checkpointHere() {
        do {
            _ = try store.checkpoint()
        } catch {
            logger.error("WAL checkpoint failed: \(error)")
        }
    }

    /// The helper's work, in its own process: one passive checkpoint of the
    /// database at `path`. Returns what to print on failure, nil on success.
    public static func runHelper(databasePath path: String) -> String? {
        do {
            _ = try JobStore.checkpoint(databaseAt: path)
            return nil
        } catch {
            return error.description
        }
    }
}
