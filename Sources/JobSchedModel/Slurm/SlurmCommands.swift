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

    /// The Slurm job name of a job's attempt: `jobsched-TAG-ID`, and from the
    /// second attempt on `jobsched-TAG-ID.N`, so that a job looked up by its
    /// name is never taken for the attempt before (Slurm lists ended jobs for a while).
    package func slurmName(of id: JobID, attempt: Int) -> String {
        namePrefix + String(id) + (attempt > 1 ? "." + String(attempt) : "")
    }

    /// The job and attempt a Slurm job name stands for, if it is one of this server's.
    package func attempt(fromSlurmName name: String) -> JobAttempt? {
        guard name.hasPrefix(namePrefix) else { return nil }
        let parts = name.dropFirst(namePrefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let id = JobID(parts[0]) else { return nil }
        guard parts.count == 2 else { return JobAttempt(id: id, attempt: 1) }
        guard let attempt = Int(parts[1]), attempt > 1 else { return nil }
        return JobAttempt(id: id, attempt: attempt)
    }

    /// An async job: `sbatch` queues the batch `script` (see `batchScript`) and
    /// prints its Slurm id; the job's output goes to files. `--no-requeue`: a
    /// job whose node fails ends (NODE_FAIL) rather than running again behind
    /// jobsched's back, over its own output file; `retries=` runs it again.
    package func sbatch(_ job: Job, script: String, stdout: String, stderr: String) -> [String] {
        ["sbatch", "--parsable", "--no-requeue", "--job-name=\(slurmName(of: job.id, attempt: job.attempts))",
         "--output=\(stdout)", "--error=\(stderr)"] + common(job) + [script]
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
        ["srun", "--quiet", "--job-name=\(slurmName(of: job.id, attempt: job.attempts))"] + common(job) + ["bash", "-c", job.command]
    }

    private func common(_ job: Job) -> [String] {
        var arguments = job.slurm.arguments(defaultPartition: defaultPartition, account: account, resources: job.resources)
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
        notTakenMessages.contains { stderr.contains($0) } || unansweredMessages.contains { stderr.contains($0) }
    }

    /// What a failed `sbatch` says about its job.
    package enum SubmitFailure: Equatable {
        /// Slurm refused it: it will not take it as it is.
        case refused
        /// The request never reached the controller, or was turned away for now: try again.
        case notTaken
        /// The request may have reached the controller, which did not answer: the job
        /// may be in Slurm's hands, and must be looked up before it is submitted again.
        case unanswered
    }

    /// `signaled`: sbatch was ended by a signal, at any point of its request.
    package static func submitFailure(stderr: String, signaled: Bool) -> SubmitFailure {
        if signaled || unansweredMessages.contains(where: { stderr.contains($0) }) { return .unanswered }
        return notTakenMessages.contains { stderr.contains($0) } ? .notTaken : .refused
    }

    /// A connection that never opened, or a controller that said "later".
    private static let notTakenMessages = ["Unable to contact slurm controller", "Slurm temporarily unable to accept job"]
    /// A request sent whose answer never came (a frozen or overloaded controller).
    private static let unansweredMessages = ["Socket timed out", "Zero Bytes were transmitted",
                                             "Communication send failure", "Communication receive failure"]

    /// A `timeout=` as Slurm's `--time` in minutes, rounded up: Slurm counts whole minutes.
    package static func timeLimit(_ seconds: Double) -> Int {
        max(1, Int((seconds / 60).rounded(.up)))
    }

}
