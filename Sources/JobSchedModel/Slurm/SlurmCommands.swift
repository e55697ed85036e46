/// The Slurm command lines jobsched runs, as argument vectors: no shell
/// parses them, so no value a client sent can become an option or a command.
package struct SlurmCommands: Equatable, Sendable {
    /// Marks this server's jobs in Slurm: `jobsched-TAG-ID`, TAG from the database file's path.
    package let namePrefix: String
    package let defaultPartition: String?
    package let account: String?

    /// `database`: the absolute path of the server's database, so that two
    /// servers of one user on one cluster never take each other's jobs.
    package init(database: String, defaultPartition: String?, account: String?) {
        var hash: UInt32 = 2_166_136_261  // FNV-1a
        for byte in database.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let hex = String(hash, radix: 16)
        namePrefix = "jobsched-" + String(repeating: "0", count: 8 - hex.count) + hex + "-"
        (self.defaultPartition, self.account) = (defaultPartition, account)
    }

    package func slurmName(of id: JobID) -> String { namePrefix + String(id) }

    /// The job a Slurm job name stands for, if it is one of this server's.
    package func jobID(fromSlurmName name: String) -> JobID? {
        guard name.hasPrefix(namePrefix) else { return nil }
        return JobID(name.dropFirst(namePrefix.count))
    }

    /// An async job: `sbatch` queues the batch `script` (see `batchScript`) and
    /// prints its Slurm id; the job's output goes to files.
    package func sbatch(_ job: Job, script: String, stdout: String, stderr: String) -> [String] {
        ["sbatch", "--parsable", "--job-name=\(slurmName(of: job.id))", "--output=\(stdout)", "--error=\(stderr)"]
            + common(job) + [script]
    }

    /// The batch script of an async job: its command run by bash itself. Not
    /// `sbatch --wrap`, whose sh would have to start bash: a second program
    /// per job, which on a busy node costs more than the rest of the launch.
    /// The `:` line ends sbatch's reading of `#SBATCH` lines, so a command
    /// that starts with one is run, not taken as options.
    package static func batchScript(_ command: String) -> String {
        "#!/bin/bash\n:\n" + command + "\n"
    }

    /// A sync job: `srun` runs it as the server's child, its output and exit status the job's.
    package func srun(_ job: Job) -> [String] {
        ["srun", "--quiet", "--job-name=\(slurmName(of: job.id))"] + common(job) + ["bash", "-c", job.command]
    }

    private func common(_ job: Job) -> [String] {
        var arguments = job.slurm.arguments(defaultPartition: defaultPartition, account: account)
        if let timeout = job.timeout { arguments.append("--time=\(SlurmCommands.timeLimit(timeout))") }
        if let cwd = job.cwd { arguments.append("--chdir=\(cwd)") }
        return arguments
    }

    /// Every job of this user that Slurm still knows, in one call.
    package static let squeue = ["squeue", "--noheader", "--states=all", "--me", "--Format=" + SlurmJobState.squeueFormat]

    /// Cancels the jobs, which Slurm records as CANCELLED: pending ones at once;
    /// running ones get SIGTERM, then SIGKILL after the cluster's KillWait.
    package static func cancel(_ ids: [Int64]) -> [String] { ["scancel"] + ids.map(String.init) }

    /// Whether a command failed for want of the controller (down, restarting,
    /// overloaded) rather than refusing what it was asked: worth trying again.
    package static func isControllerUnreachable(_ stderr: String) -> Bool {
        ["Unable to contact slurm controller", "Socket timed out", "Zero Bytes were transmitted",
         "Slurm temporarily unable to accept job"].contains { stderr.contains($0) }
    }

    /// A `timeout=` as Slurm's `--time` in minutes, rounded up: Slurm counts whole minutes.
    package static func timeLimit(_ seconds: Double) -> Int {
        max(1, Int((seconds / 60).rounded(.up)))
    }

}
