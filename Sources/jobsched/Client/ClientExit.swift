import JobSchedAPI

/// The client's exit statuses beside 0, chosen as timeout(1) chooses its own
/// so that they read the same in scripts.
enum ClientExit {
    /// `wait`: some job did not end with returncode 0.
    static let notAllSucceeded: Int32 = 1
    /// A command line the client cannot read (as swift-argument-parser exits).
    static let usage: Int32 = 64
    /// `run`, `follow`: jobsched (or the cluster) killed the job: kill, timeout, a shutdown.
    static let killed: Int32 = 124
    /// jobsched itself could not do what was asked: no server, a wrong token,
    /// a request the server refused.
    static let jobschedFailed: Int32 = 125
    /// `run`, `follow`: the job could not start (a bad cwd, an outlog that cannot be opened).
    static let couldNotStart: Int32 = 126

    /// `run` and `follow` exit as the job did: its returncode, 128+N when
    /// signal N ended it (as a shell reports it), or one of the codes above.
    static func status(of end: JobEndReport) -> Int32 {
        switch end.status {
        case .success:
            guard let code = end.returncode else { return jobschedFailed }
            return code >= 0 ? code : 128 - code
        case .killed: return killed
        case .failed: return couldNotStart
        case .queued, .running: return jobschedFailed
        }
    }
}
