/// How a finished job ended, as `/metrics` counts them: its command ran to
/// its end with returncode 0 or not, jobsched (or the cluster) killed it, or
/// it never started.
package enum JobOutcome: String, CaseIterable {
    case zero, nonzero, killed, failed

    /// Nil for a job that has not finished.
    package init?(_ job: Job) {
        switch job.status {
        case .queued, .running: return nil
        case .success: self = job.returncode == 0 ? .zero : .nonzero
        case .killed: self = .killed
        case .failed: self = .failed
        }
    }
}
