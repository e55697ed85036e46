import JobSchedModel
import JobSchedSystem
import Logging

/// Cancels Slurm jobs with plain `scancel`, never by signalling their
/// processes: Slurm then records them as CANCELLED (a batch shell that a
/// signal of ours ended would be FAILED) and applies the cluster's KillWait
/// between SIGTERM and SIGKILL itself. The cancels of one loop iteration go
/// out as one `scancel`; one that cannot reach the controller is sent again,
/// backing off up to a minute, for the jobs still there.
final class SlurmCanceller {
    /// Called when an `scancel` has ended (the jobs' states have changed) or a
    /// retry found nothing left to cancel: either may leave the canceller idle.
    var onSettled: () -> Void = {}
    /// Whether a job whose cancel failed still needs it (it has not ended meanwhile).
    var stillNeedsCancel: (Int64) -> Bool = { _ in false }

    private let loop: EventLoop
    private let commands: CommandRunner
    private let logger: Logger
    private let retryInterval: Double
    private var pending: Set<Int64> = []
    /// Jobs whose `scancel` found no controller, until they are tried again.
    private var awaitingRetry: Set<Int64> = []
    private var failures = 0
    private var retryTimer: Event?
    private var inFlight = 0
    private var flushEvent: Event?

    init(loop: EventLoop, commands: CommandRunner, logger: Logger, retryInterval: Double) {
        (self.loop, self.commands, self.logger, self.retryInterval) = (loop, commands, logger, retryInterval)
        flushEvent = loop.deferredEvent { [unowned self] in self.flush() }
    }

    /// No cancel waits to be sent, to be tried again or to be answered.
    var isIdle: Bool { pending.isEmpty && awaitingRetry.isEmpty && inFlight == 0 }

    /// Cancels the job with the loop iteration's others.
    func cancel(_ slurmJobID: Int64) {
        pending.insert(slurmJobID)
        flushEvent?.activate()
    }

    /// Cancels the jobs of that name: one whose Slurm id is not known (yet).
    func cancel(named name: String) {
        run(["scancel", "--name=" + name], retrying: [])
    }

    /// Cancels the jobs now, once: the server is about to stop waiting for them.
    func cancelAtOnce(_ slurmJobIDs: [Int64]) {
        run(SlurmCommands.cancel(slurmJobIDs), retrying: [])
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        let ids = pending.sorted()
        pending = []
        run(SlurmCommands.cancel(ids), retrying: ids)
    }

    private func run(_ arguments: [String], retrying ids: [Int64]) {
        do {
            try commands.run(arguments) { [unowned self] result in
                self.inFlight -= 1
                if result.succeeded {
                    self.failures = 0
                } else if !ids.isEmpty && SlurmCommands.isControllerUnreachable(result.stderr) {
                    self.tryAgain(ids, after: result.failure)
                } else {
                    // Typically a job that ended meanwhile: nothing is left to cancel.
                    self.logger.warning("\(arguments.prefix(3).joined(separator: " ")) ...: \(result.failure)")
                }
                self.onSettled()
            }
            inFlight += 1
        } catch {
            logger.error("cannot run scancel: \(error.message)")
        }
    }

    private func tryAgain(_ ids: [Int64], after failure: String) {
        failures += 1
        awaitingRetry.formUnion(ids)
        guard retryTimer == nil else { return }
        let delay = min(60, retryInterval * Double(1 << min(failures, 6)))
        logger.warning("scancel failed (\(failures) in a row; again in \(Timestamp.seconds(delay)) s): \(failure)")
        retryTimer = loop.timer(after: delay) { [unowned self] in
            self.retryTimer = nil
            let ids = self.awaitingRetry.filter(self.stillNeedsCancel)
            self.awaitingRetry = []
            ids.forEach(self.cancel)
            if ids.isEmpty { self.onSettled() }
        }
    }
}
