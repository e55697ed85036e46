/// Where a job's stdout and stderr go, and what the server reads back.
///
/// A user's `outlog`/`errlog` file takes its stream. Otherwise a sync job's
/// streams share one pipe, so its client sees them interleaved exactly as
/// written; an async job's streams get a pipe each, so they can be read
/// apart later. Everything read is kept in the spool.
package struct OutputPlan: Equatable {
    package var stdout: OutputTarget
    package var stderr: OutputTarget
    /// What the pipe returned as `stdoutFD` carries (stderr's own pipe is always `.stderr`).
    package var firstPipeStream: JobOutputStream?
    /// The spool files to write.
    package var spoolStreams: [JobOutputStream]

    package init(sync: Bool, outlog: String?, errlog: String?) {
        let pipe: OutputTarget = sync ? .sharedPipe : .ownPipe
        stdout = outlog.map(OutputTarget.file) ?? pipe
        stderr = errlog.map(OutputTarget.file) ?? pipe
        switch (stdout, stderr) {
        case (.sharedPipe, .sharedPipe): firstPipeStream = .both
        case (.sharedPipe, _), (.ownPipe, _): firstPipeStream = .stdout
        case (_, .sharedPipe): firstPipeStream = .stderr
        default: firstPipeStream = nil
        }
        var streams: [JobOutputStream] = []
        // With one stream in a file, the kept "both" would hold only the other: it is kept alone.
        if outlog == nil && errlog == nil { streams.append(.both) }
        if stdout == .ownPipe || firstPipeStream == .stdout { streams.append(.stdout) }
        if stderr == .ownPipe || firstPipeStream == .stderr { streams.append(.stderr) }
        spoolStreams = streams
    }
}

/// Where a job's stdout or stderr goes.
package enum OutputTarget: Equatable {
    case discard
    /// A file, truncated when the job starts; relative to the server's directory.
    case file(String)
    /// The one pipe that stdout and stderr share when both go there, so the
    /// server reads them interleaved exactly as written.
    case sharedPipe
    /// A pipe of this stream's own, so the server can tell stdout from stderr.
    case ownPipe
}
