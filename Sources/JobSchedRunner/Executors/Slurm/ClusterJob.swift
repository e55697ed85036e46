import JobSchedModel
import JobSchedSystem

/// A job handed to Slurm, until its end is reported.
final class ClusterJob {
    let id: JobID
    /// Which attempt of the job this is: its Slurm job name says it.
    let attempt: Int
    /// Its `srun` is this server's child (a sync job of this run).
    let isSync: Bool
    var placement = ClusterPlacement(slurmJobID: nil, node: nil, state: nil)
    /// Async: the files Slurm writes the job's output to, and where each goes.
    var outputFiles: [(tail: FileTail, stream: JobOutputStream)] = []
    /// Async: where the output files' read offsets are kept, so that a restart
    /// reads on from there and hands on nothing twice.
    var readOffsetsFile: String?
    let output: (UnsafeRawBufferPointer, JobOutputStream) -> Void
    /// Async: what `sbatch` is run with, until it has answered with the job's
    /// Slurm id: its arguments, and its environment (which it gives the job), `base` with `environment` added.
    var submission: (arguments: [String], environment: [String], base: BaseEnvironment)?
    /// Not yet in Slurm's hands: waiting for its turn to run `sbatch`, or for its answer.
    var isSubmitting: Bool { submission != nil }
    /// Async: `sbatch` runs that failed for want of the controller.
    var submitFailures = 0
    /// Async: Slurm may have the job though it never said its id (an `sbatch`
    /// that got no answer, a crash before it answered): it is looked up by
    /// its name before anything else is done with it.
    var mayBeInSlurm = false
    /// The polls begun until the doubt arose: a listing they gave proves nothing.
    var doubtSincePoll = 0
    /// Async: its `sbatch` is running now.
    var sbatchRuns = false
    /// Async: the file sbatch reads the job's script from, until it has.
    var batchScript: String?
    /// Sync: how `srun` ended; the end is reported once Slurm lists the job as ended.
    var srunEnd: Termination?
    /// Sync: the first and the last `srun: error:` line of its output (the
    /// cause, then srun's summary), for a job Slurm refused.
    private var srunErrors: (first: String, last: String)?
    var srunError: String? {
        srunErrors.map { $0.first == $0.last ? $0.first : $0.first + "; " + $0.last }
    }
    /// Polls that did not list the job: since `srun` ended, since the doubt, or since it was listed.
    var pollsUnlisted = 0
    var isStopping = false
    /// Why jobsched ends it when the runner did not ask (it has no reason of its
    /// own to give then): a sync job that a crash left without its client.
    var stopReason: String?
    /// Sync: the end of a stop's grace period (then srun's SIGTERM), or the wait before an `sbatch` is tried again.
    var forceTimer: Event?

    init(of job: Job, output: @escaping (UnsafeRawBufferPointer, JobOutputStream) -> Void) {
        (id, attempt, isSync, self.output) = (job.id, job.attempts, job.sync, output)
    }

    /// A sync job of a previous run of the server: its srun and its client are
    /// gone, so it is cancelled and followed, as an async job is, to its end.
    init(leftover job: Job) {
        (id, attempt, isSync, output) = (job.id, job.attempts, false, { _, _ in })
        (isStopping, stopReason) = (true, "server restarted")
    }

    var jobAttempt: JobAttempt { JobAttempt(id: id, attempt: attempt) }

    /// The output files of an async job, read on from the offsets a previous
    /// run of the server kept, if any (written after what they count was spooled).
    func tailOutputFiles(_ files: [(path: String, stream: JobOutputStream)], readOffsetsFile: String) {
        self.readOffsetsFile = readOffsetsFile
        let kept = ((try? readWholeFile(readOffsetsFile)) ?? [])
            .split { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") }
            .compactMap { Int64(String(decoding: $0, as: UTF8.self)) }
        let offsets = kept.count == files.count ? kept : files.map { _ in 0 }
        outputFiles = zip(files, offsets).map { (FileTail(path: $0.path, offset: $1), $0.stream) }
    }

    /// Keeps how far the output files have been read, now that it is spooled.
    func keepReadOffsets() {
        guard let readOffsetsFile else { return }
        try? writeWholeFile(readOffsetsFile, outputFiles.map { String($0.tail.offset) }.joined(separator: " ") + "\n", mode: 0o600)
    }

    /// Keeps srun's error lines: they say why Slurm refused the job.
    func noteSrunError(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("srun: error: ") {
            srunErrors = (srunErrors?.first ?? String(line), String(line))
        }
    }
}
