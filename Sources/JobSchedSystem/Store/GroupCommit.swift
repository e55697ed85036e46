import JobSchedModel
import Logging

/// The group commit: writes do not commit one by one, they share the
/// transaction the first of them opened, and one hook commits it: at the end
/// of the current loop iteration when a reply waits on it (`whenCommitted`),
/// otherwise within `stateCommitDelay`. Like Redis's `beforeSleep`, it is the
/// one place where the loop's pending writes become durable.
package final class GroupCommit {
    /// How long job state changes (started, finished) may wait for their
    /// commit when no reply waits on it. Sharing one commit among the jobs of
    /// these milliseconds takes it off each job's path; a crash of the server
    /// within them can only leave a job's last state unwritten (a restart marks
    /// such jobs killed), never lose a submit, whose reply always waits.
    package static let stateCommitDelay = 0.02

    package let store: JobStore
    private let loop: EventLoop
    private let logger: Logger
    private var commitEvent: Event!
    /// Work to do once the open transaction has committed (sending job ids).
    private var afterCommit: [(Result<Void, SQLiteError>) -> Void] = []
    /// After a failed commit (disk full, read-only file): the store keeps the
    /// job states it refused, and they are committed again each second until
    /// the store catches up.
    private var saveRetry: Event?
    /// Whether the database file's deletion has been logged (once: every commit fails then).
    private var reportedMove = false
    /// Called after each successful commit (the WAL checkpointer counts them).
    package var onCommitted: () -> Void = {}
    /// Batch submits being written a step at a time (`holdCommits`).
    private var holds = 0

    package init(store: JobStore, loop: EventLoop, logger: Logger) {
        self.store = store
        self.loop = loop
        self.logger = logger
        commitEvent = loop.deferredEvent { [unowned self] in self.commit() }
        store.onFirstWrite = { [unowned self] in self.commitEvent.add(timeout: GroupCommit.stateCommitDelay) }
    }

    /// Runs `work` once the current transaction has committed (at the end of
    /// this loop iteration), or at once if nothing is pending.
    package func whenCommitted(_ work: @escaping (Result<Void, SQLiteError>) -> Void) {
        afterNextCommit(work)
        commitEvent.activate()
    }

    /// Runs `work` once the open transaction has committed, without hastening
    /// the commit: job state changes wait up to `stateCommitDelay` for theirs.
    package func afterNextCommit(_ work: @escaping (Result<Void, SQLiteError>) -> Void) {
        afterCommit.append(work)
    }

    /// Writes a job's new state (and the output of a job that ended small)
    /// into the open transaction; the store keeps it until a commit does, and
    /// every read sees it meanwhile.
    package func save(_ job: Job, output: CompactOutput? = nil) {
        do {
            try store.update(job, output: output)
        } catch {
            logger.error("saving job \(job.id): \(error)")
            scheduleSaveRetry()
        }
    }

    /// Commits what is pending now, and runs the work that waited for it;
    /// while a batch is being written, nothing (see `holdCommits`).
    package func commit() {
        guard holds == 0 else { return }
        do {
            try store.commit()
            onCommitted()
            finish(.success(()))
        } catch {
            if error.isDatabaseMoved && !reportedMove {
                reportedMove = true
                logger.critical("\(error.message)")
            }
            logger.error("database commit failed: \(error)")
            scheduleSaveRetry()
            finish(.failure(error))
        }
    }

    /// Keeps the open transaction from committing while a batch submit writes
    /// its rows a step at a time, other clients served between two steps: the
    /// batch commits whole or not at all, and so does whatever other requests
    /// wrote meanwhile (their replies wait for it).
    package func holdCommits() { holds += 1 }

    /// Lets a held transaction commit, at once if something waits on it.
    package func releaseCommits() {
        holds -= 1
        if holds == 0 && (store.isInTransaction || !afterCommit.isEmpty) { commitEvent.activate() }
    }

    /// Takes back everything the open transaction holds (a batch that could
    /// not be written whole, or one the shutdown interrupts): what waited on
    /// it fails as after a refused commit, and job states are written again.
    package func abandon(_ error: SQLiteError) {
        store.rollback()
        if (try? store.retryPendingStates()) == nil { scheduleSaveRetry() }
        finish(.failure(error))
    }

    private func finish(_ result: Result<Void, SQLiteError>) {
        // After a refused commit, what waited undoes its changes in memory last
        // first: two edits of one job in this transaction must end with the
        // first one's "before", not the second's.
        let work = result.isSuccess ? afterCommit : afterCommit.reversed()
        afterCommit = []
        work.forEach { $0(result) }
    }

    /// Commits the refused job states again in a second, and again after that until a commit succeeds.
    private func scheduleSaveRetry() {
        guard saveRetry == nil else { return }
        saveRetry = loop.timer(after: 1) { [unowned self] in
            self.saveRetry = nil
            do {
                try self.store.retryPendingStates()
            } catch {
                self.scheduleSaveRetry()
            }
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
