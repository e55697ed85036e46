import JobSchedModel

/// What jobsched adds to every job's environment, after the job's own `env=`
/// entries (which cannot replace these):
/// - `JOBSCHED_JOB_ID`: the job's id, for the job's own use;
/// - `JOBSCHED_DATABASE`: the server's database file. Every process of the
///   job inherits it, which is how a server restarted after a crash finds
///   the processes of the jobs it was running (`OrphanedJobs`). Jobs that
///   outlive the server on purpose (a cluster's batch jobs) go without it;
/// - `JOBSCHED_CPUS`, and where GPUs are handed out `CUDA_VISIBLE_DEVICES`
///   and `JOBSCHED_GPUS`: its share of the machine (`Allocation.environment`).
package enum JobEnvironment {
    package static let jobIDVariable = SubmittedEnvironment.jobIDVariable
    package static let databaseVariable = SubmittedEnvironment.databaseVariable

    /// The entries a job adds to the server's environment.
    package static func entries(of job: Job, database: String?) -> [String] {
        let share = job.allocation ?? Allocation(cpus: job.resources.cpus)
        let ours = [jobIDVariable + "=" + String(job.id)] + (database.map { [databaseVariable + "=" + $0] } ?? []) + share.environment
        // The database mark goes also where it is not set: a job's own would mark it as the server's.
        let names = Set(ours.map(BaseEnvironment.name(of:)) + [Substring(databaseVariable)])
        return job.env.filter { !names.contains(BaseEnvironment.name(of: $0)) } + ours
    }
}
