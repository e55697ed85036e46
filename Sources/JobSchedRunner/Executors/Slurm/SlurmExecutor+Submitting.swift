import JobSchedModel
import JobSchedSystem

/// Handing async jobs to Slurm: `sbatch`, a few at a time, tried again while
/// the controller cannot be reached. An `sbatch` that got no answer may have
/// reached the controller all the same: the job is then looked up by its name,
/// and submitted again only if Slurm does not have it, so it never runs twice.
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
                try commands.run(submission.arguments, environment: submission.environment, base: submission.base) { [unowned self] result in
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
            submitFailed(cluster, result)
            return
        }
        cluster.submission = nil
        removeBatchScript(of: cluster)
        place(cluster, ClusterPlacement(slurmJobID: slurmJobID, node: nil, state: "PENDING"))
        if cluster.isStopping { canceller.cancel(slurmJobID) }
    }

    private func submitFailed(_ cluster: ClusterJob, _ result: CommandRunner.Result) {
        var signaled = false
        if case .signaled = result.termination { signaled = true }
        // sbatch said it was done, but not with a job id: it may well have queued the job.
        let failure = result.succeeded ? .unanswered : SlurmCommands.submitFailure(stderr: result.stderr, signaled: signaled)
        switch failure {
        case .refused:
            logger.warning("job \(cluster.id): sbatch failed: \(result.failure)")
            end(cluster, .refused(result.failure))
        case .unanswered:
            logger.warning("job \(cluster.id): sbatch got no answer (\(result.failure)); looking for the job in Slurm before submitting it again")
            cluster.mayBeInSlurm = true
            cluster.doubtSincePoll = pollsStarted
            cluster.pollsUnlisted = 0
        case .notTaken where cluster.isStopping:
            end(cluster, .cancelledBeforeStart(endedBy: "cancelled before Slurm took it"))
        case .notTaken:
            // The controller is down or busy: the job waits and tries again, backing off up to a minute.
            cluster.submitFailures += 1
            let delay = min(60, settings.pollInterval * Double(1 << min(cluster.submitFailures, 6)))
            logger.warning("job \(cluster.id): sbatch failed (try \(cluster.submitFailures); again in \(Timestamp.seconds(delay)) s): \(result.failure)")
            cluster.forceTimer = loop.timer(after: delay) { [unowned self, unowned cluster] in
                cluster.forceTimer = nil
                self.queueSubmission(cluster)
            }
        }
    }

    /// The job that Slurm may have had is listed: it is in Slurm's hands, as if sbatch had answered.
    func foundInSlurm(_ cluster: ClusterJob, slurmJobID: Int64) {
        cluster.mayBeInSlurm = false
        if cluster.isSubmitting {
            logger.notice("job \(cluster.id): its sbatch reached Slurm after all (slurm job \(slurmJobID)); not submitted again")
            cluster.submission = nil
            removeBatchScript(of: cluster)
        }
        if cluster.isStopping { canceller.cancel(slurmJobID) }
    }

    /// The job that Slurm may have had is not listed by the polls that settle it: Slurm never took it.
    func notInSlurm(_ cluster: ClusterJob) {
        cluster.mayBeInSlurm = false
        cluster.pollsUnlisted = 0
        if cluster.isStopping {
            end(cluster, .cancelledBeforeStart(endedBy: cluster.stopReason ?? "cancelled before Slurm took it"))
        } else if cluster.isSubmitting {
            logger.info("job \(cluster.id): not in Slurm's hands; sbatch again")
            queueSubmission(cluster)
        } else {
            // Taken back after a crash that came before sbatch answered: the runner queues it again (--resume) or not.
            end(cluster, .notHandedOver(endedBy: "server restarted before Slurm took the job"))
        }
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
