/// A finished job's output small enough to be kept in the database instead of
/// the spool's files: a job that prints a line made a file per stream, each
/// a 4 KiB block on disk and an inode.
///
/// Each stream is kept once. The two streams together (`both`) are kept only
/// when each had output: otherwise they are the one stream that had.
package struct CompactOutput: Equatable {
    package let both: [UInt8]?
    package let stdout: [UInt8]?
    package let stderr: [UInt8]?

    /// Finished jobs whose spool files hold this many bytes or fewer in all
    /// are kept compactly: a database page holds a few of them.
    package static let maxBytes = 4096

    package init(both: [UInt8]?, stdout: [UInt8]?, stderr: [UInt8]?) {
        self.both = both
        self.stdout = stdout
        self.stderr = stderr
    }

    /// From the contents of a job's spool files, by stream (a stream with no
    /// output has no file).
    package init(files: [JobOutputStream: [UInt8]]) {
        let stdout = files[.stdout].flatMap { $0.isEmpty ? nil : $0 }
        let stderr = files[.stderr].flatMap { $0.isEmpty ? nil : $0 }
        let onlyStream = stdout == nil ? stderr : (stderr == nil ? stdout : nil)
        var both = files[.both].flatMap { $0.isEmpty ? nil : $0 }
        if both != nil && both == onlyStream { both = nil }
        self.init(both: both, stdout: stdout, stderr: stderr)
    }

    /// What a reader of `stream` gets, for a job whose streams the spool keeps
    /// as its `OutputPlan` says.
    package func bytes(of stream: JobOutputStream) -> [UInt8] {
        switch stream {
        case .both: both ?? stdout ?? stderr ?? []
        case .stdout: stdout ?? []
        case .stderr: stderr ?? []
        }
    }
}
