import JobSchedModel
import JobSchedSystem

/// What Slurm says of the jobs: one `squeue` per interval for all of them,
/// their placement and end, and their output files read as they grow.
extension SlurmExecutor {
    func schedulePoll(after seconds: Double) {
        pollTimer = loop.timer(after: seconds) { [unowned self] in
            self.pollTimer = nil
            self.poll()
        }
    }

    /// Polls at once (a sync job's srun ended): its end waits on Slurm's word.
    /// A poll under way may have asked before the change: another follows it.
    func pollSoon() {
        if isPolling {
            pollAgainAtOnce = true
        } else {
            schedulePoll(after: 0)
        }
    }

    func poll() {
        guard !jobs.isEmpty, !isPolling else { return }
        isPolling = true
        pollsStarted += 1
        let pollNumber = pollsStarted
        do {
            try commands.run(SlurmCommands.squeue) { [unowned self] result in
                self.isPolling = false
                self.polled(result, pollNumber: pollNumber)
            }
        } catch {
            isPolling = false
            pollFailed(error.message)
        }
    }

    func polled(_ result: CommandRunner.Result, pollNumber: Int) {
        guard result.succeeded else {
            pollFailed(result.failure)
            return
        }
        if pollFailures > 0 { logger.notice("squeue answers again after \(pollFailures) failed polls") }
        pollFailures = 0
        let listing = SlurmListing(SlurmJobState.parseListing(result.stdout), commands: settings.commands)
        for cluster in Array(jobs.values) where !cluster.isSubmitting || cluster.mayBeInSlurm {
            // A pending job has written nothing: its files are not even looked for.
            if !cluster.isSubmitting && cluster.placement.state != "PENDING" { readOutput(of: cluster) }
            let listed = if let slurmJobID = cluster.placement.slurmJobID {
                listing.state(of: slurmJobID)
            } else {
                listing.state(of: cluster.jobAttempt)
            }
            guard let state = listed else {
                unlisted(cluster, pollNumber: pollNumber)
                continue
            }
            if cluster.mayBeInSlurm { foundInSlurm(cluster, slurmJobID: state.slurmJobID) }
            place(cluster, ClusterPlacement(slurmJobID: state.slurmJobID, node: state.node, state: state.state,
                                            reason: state.givenReason, hasBegun: cluster.placement.hasBegun || state.hasBegun))
            guard state.hasEnded, !cluster.isSync || cluster.srunEnd != nil else { continue }
            if state.node == nil {
                // It never ran: cancelled, or refused (what srun asked for, no node has: FAILED, BadConstraints).
                if state.state == "CANCELLED" || cluster.isStopping {
                    end(cluster, .cancelledBeforeStart(endedBy: cluster.stopReason ?? state.slurmEndReason ?? "slurm: CANCELLED"))
                } else {
                    end(cluster, .refused(cluster.srunError ?? state.stateAndReason))
                }
            } else if state.isNodeFailure && !cluster.isStopping, let reason = state.slurmEndReason {
                end(cluster, .nodeFailed(state.termination, endedBy: reason))
            } else {
                end(cluster, .ran(state.termination, endedBy: cluster.isStopping ? cluster.stopReason : state.slurmEndReason))
            }
        }
        guard !jobs.isEmpty else { return }
        // A sync job whose srun has ended waits only for Slurm to list it as ended: soon.
        let syncEnding = jobs.values.contains { $0.srunEnd != nil }
        schedulePoll(after: pollAgainAtOnce ? 0 : syncEnding ? min(0.1, settings.pollInterval) : settings.pollInterval)
        pollAgainAtOnce = false
    }

    /// A job squeue does not list: not yet (srun still waits to be queued, an
    /// sbatch that got no answer may not have reached Slurm), or no more.
    func unlisted(_ cluster: ClusterJob, pollNumber: Int) {
        if cluster.isSync {
            guard let srunEnd = cluster.srunEnd else { return }
            cluster.pollsUnlisted += 1
            guard cluster.pollsUnlisted >= 2 else { return }
            // srun ended and Slurm never had the job: it refused it.
            if cluster.placement.slurmJobID == nil, let error = cluster.srunError {
                end(cluster, .refused(error))
            } else {
                end(cluster, .ran(srunEnd))
            }
        } else if cluster.mayBeInSlurm {
            // A poll begun before the doubt arose proves nothing; the second begun
            // after it started once the controller had answered the first, so a
            // request the controller held by then has been carried out.
            guard pollNumber > cluster.doubtSincePoll else { return }
            cluster.pollsUnlisted += 1
            if cluster.pollsUnlisted >= 2 { notInSlurm(cluster) }
        } else if let slurmJobID = cluster.placement.slurmJobID {
            cluster.pollsUnlisted += 1
            guard cluster.pollsUnlisted >= 2 else { return }
            // Past MinJobAge Slurm forgets a job: its end is not known any more.
            let lastSeen = cluster.placement.state.map { " (last seen \($0))" } ?? ""
            var placement = cluster.placement
            placement.state = "UNKNOWN"
            place(cluster, placement)
            end(cluster, .lost(endedBy: "slurm job \(slurmJobID) is gone from squeue\(lastSeen); its end is unknown"))
        }
    }

    func pollFailed(_ message: String) {
        pollFailures += 1
        // Never ends a job: the controller may be down for a while. Back off, up to a minute.
        let delay = min(60, settings.pollInterval * Double(1 << min(pollFailures, 6)))
        logger.warning("squeue failed (\(pollFailures) in a row; next try in \(Timestamp.seconds(delay)) s): \(message)")
        schedulePoll(after: delay)
    }

    func place(_ cluster: ClusterJob, _ placement: ClusterPlacement) {
        cluster.pollsUnlisted = 0
        guard placement != cluster.placement else { return }
        cluster.placement = placement
        onPlaced(cluster.id, placement)
    }

    func readOutput(of cluster: ClusterJob) {
        var hasRead = false
        for file in cluster.outputFiles {
            file.tail.readNew(into: readBuffer.bytes) {
                hasRead = true
                cluster.output($0, file.stream)
            }
        }
        // Kept once it is spooled: a restart reads on from there, neither twice nor with a gap.
        if hasRead { cluster.keepReadOffsets() }
    }

    func srunEnded(_ id: JobID, _ termination: Termination) {
        guard let cluster = jobs[id] else { return }
        cluster.srunEnd = termination
        pollSoon()
    }
}
