import JobSchedModel

/// What jobsched adds to every job's environment, after the job's own `env=`
/// entries (which cannot replace these):
/// - `JOBSCHED_JOB_ID`: the job's id, for the job's own use;
/// - `JOBSCHED_DATABASE`: the server's database file. Every process of the
///   job inherits it, which is how a server restarted after a crash finds
///   the processes of the jobs it was running (`OrphanedJobs`). Jobs that
///   outlive the server on purpose (a cluster's batch jobs) go without it.
package enum JobEnvironment {
    package static let jobIDVariable = SubmittedEnvironment.jobIDVariable
    package static let databaseVariable = SubmittedEnvironment.databaseVariable

    /// The entries a job adds to the server's environment.
    package static func entries(jobID: JobID, database: String?, requested: [String]) -> [String] {
        let ours: [String] = [jobIDVariable + "=" + String(jobID)] + (database.map { [databaseVariable + "=" + $0] } ?? [])
        return requested.filter {
            let name = BaseEnvironment.name(of: $0)
            return name != jobIDVariable && name != databaseVariable
        } + ours
    }
}
