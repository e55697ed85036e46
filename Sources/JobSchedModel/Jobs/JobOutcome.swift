/// How a finished job ended, as `/metrics` counts them: its command ran to
/// its end with returncode 0 or not, jobsched (or the cluster) killed it, or
/// it never started.
package enum JobOutcome: String, CaseIterable {
    case zero, nonzero, killed, failed

    /// Nil for a job that has not finished.
    package init?(_ job: Job) {
        self.init(status: job.status, returncode: job.returncode)
    }

    package init?(status: JobStatus, returncode: Int32?) {
        switch status {
        case .queued, .running: return nil
        case .success: self = returncode == 0 ? .zero : .nonzero
        case .killed: self = .killed
        case .failed: self = .failed
        }
    }

    /// The status of a job that ended this way.
    package var status: JobStatus {
        switch self {
        case .zero, .nonzero: return .success
        case .killed: return .killed
        case .failed: return .failed
        }
    }
}
