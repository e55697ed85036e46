/// One attempt of one job: what a Slurm job name of this server stands for.
package struct JobAttempt: Hashable, Sendable {
    package var id: JobID
    package var attempt: Int

    package init(id: JobID, attempt: Int) {
        (self.id, self.attempt) = (id, attempt)
    }
}

/// One `squeue` listing of this server's jobs, found by their Slurm id, or by
/// the name of a job's attempt while its Slurm id is not known (an `sbatch`
/// that did not answer, a crash before it did).
package struct SlurmListing {
    private var bySlurmJobID: [Int64: SlurmJobState] = [:]
    private var byAttempt: [JobAttempt: SlurmJobState] = [:]

    package init(_ states: [SlurmJobState], commands: SlurmCommands) {
        for state in states {
            guard let attempt = commands.attempt(fromSlurmName: state.name) else { continue }
            bySlurmJobID[state.slurmJobID] = state
            // Two Slurm jobs of one attempt: the latest counts.
            if let seen = byAttempt[attempt], seen.slurmJobID > state.slurmJobID { continue }
            byAttempt[attempt] = state
        }
    }

    package func state(of slurmJobID: Int64) -> SlurmJobState? { bySlurmJobID[slurmJobID] }

    package func state(of attempt: JobAttempt) -> SlurmJobState? { byAttempt[attempt] }
}
