/// The whole environment a job may be submitted with, to start from instead
/// of the server's: `jobsched add` and `run` send their caller's, as
/// task-spooler's jobs inherit theirs. Some of it never travels: the client's
/// token and server address, and the variables jobsched sets for each job.
package enum SubmittedEnvironment {
    package static let jobIDVariable = "JOBSCHED_JOB_ID"
    package static let databaseVariable = "JOBSCHED_DATABASE"
    private static let notCarried: Set<Substring> = ["JOBSCHED_TOKEN", "JOBSCHED_URL", Substring(jobIDVariable), Substring(databaseVariable)]

    /// `entries` without what must not travel with a job.
    package static func carried(_ entries: [String]) -> [String] {
        entries.filter { !notCarried.contains(name(of: $0)) }
    }

    /// The name ends at the first `=`; an entry without one is all name.
    package static func name(of entry: String) -> Substring {
        Substring(entry.utf8.prefix { $0 != UInt8(ascii: "=") })
    }
}
