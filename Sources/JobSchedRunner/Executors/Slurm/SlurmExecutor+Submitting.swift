import JobSchedModel
import JobSchedSystem

/// Handing async jobs to Slurm: `sbatch`, a few at a time, tried again while
/// the controller cannot be reached.
extension SlurmExecutor {
    func queueSubmission(_ cluster: ClusterJob) {
        submitQueue.append(cluster)
        submitNext()
    }

    func submitNext() {
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

    func submitted(_ cluster: ClusterJob, _ result: CommandRunner.Result) {
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

    /// sbatch copies the script to the controller: the file is not needed once it has answered.
    func removeBatchScript(of cluster: ClusterJob) {
        if let script = cluster.batchScript { removeFile(script) }
        cluster.batchScript = nil
    }
}

extension Substring {
    fileprivate var trimmingNewline: Substring {
        var text = self
        while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
        return text
    }
}
