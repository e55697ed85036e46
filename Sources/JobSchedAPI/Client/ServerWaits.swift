import JobSchedModel

/// How long the client waits on its server before it gives up, from
/// `--server-timeout` (seconds; nil: for as long as it takes). A job's live
/// output (`run`, `follow`) is never timed: a job may be silent for hours.
/// Nor is the reply `/wait` holds back until its jobs end, unless `wait
/// --timeout` says when that is.
package struct ServerWaits: Equatable, Sendable {
    package static let defaultSeconds = 30.0

    /// For the connection to be taken, and for each stall while the request goes out.
    package let connect: Double?
    /// From the request sent to the end of the reply's head.
    package let head: Double?
    private let stall: Double?
    private let bodyIsLiveOutput: Bool

    /// How long a reply's body may stall after a head with `status`: a job's
    /// live output (a 200 to `run` or `follow`) as long as the job runs.
    package func bodyStall(status: Int) -> Double? { bodyIsLiveOutput && status == 200 ? nil : stall }

    /// The waits of `subcommand` run with `line`.
    package init(_ subcommand: ClientSubcommand, _ line: ClientCommandLine) throws(CommandLineError) {
        var limit: Double? = Self.defaultSeconds
        if let text = line.value("server-timeout") {
            guard let seconds = DurationText.seconds(text) else {
                throw CommandLineError("--server-timeout takes a duration such as \(DurationText.examples), not \(Excerpt.quoted(text))")
            }
            limit = seconds > 0 ? seconds : nil
        }
        connect = limit
        stall = limit
        bodyIsLiveOutput = subcommand == .run || subcommand == .follow
        if subcommand == .wait {
            // Its reply comes when the jobs end: after --timeout, if given, else whenever.
            let waited = line.value("timeout").flatMap(DurationText.seconds)
            head = waited.flatMap { waited in limit.map { waited + $0 } }
        } else {
            head = limit
        }
    }
}
