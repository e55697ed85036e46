/// The client's exit statuses beside 0, chosen as timeout(1) chooses its own
/// so that they read the same in scripts.
package enum ClientExit {
    /// `wait`: some job did not end with returncode 0.
    package static let notAllSucceeded: Int32 = 1
    /// A command line the client cannot read (as swift-argument-parser exits; sysexits' EX_USAGE).
    package static let usage: Int32 = 64
    /// The server's reply is not one jobsched sends: not HTTP, an id that is
    /// not a number, a returncode no job can have (sysexits' EX_PROTOCOL).
    package static let badReply: Int32 = 76
    /// `run`, `follow`: jobsched (or the cluster) killed the job: kill, timeout, a shutdown.
    package static let killed: Int32 = 124
    /// jobsched itself could not do what was asked: no server, one that did
    /// not answer in time, a wrong token, a request the server refused.
    package static let jobschedFailed: Int32 = 125
    /// `run`, `follow`: the job could not start (a bad cwd, an outlog that cannot be opened).
    package static let couldNotStart: Int32 = 126

    /// `run` and `follow` exit as the job did: its returncode (0–255), 128+N
    /// when signal N ended it (as a shell reports it), or one of the codes
    /// above. nil for an end no job can have (a returncode of 256, a job
    /// still running): a bad reply, never taken for the job's own status.
    package static func status(of end: JobEndReport) -> Int32? {
        guard end.isPossible else { return nil }
        switch end.status {
        case .success: return end.returncode.map { $0 >= 0 ? $0 : 128 - $0 }
        case .killed: return killed
        case .failed: return couldNotStart
        case .queued, .running: return nil
        }
    }
}
