import ArgumentParser
import Glibc
import JobSchedCore
import Logging

@main
struct JobSchedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobsched",
        abstract: "A job scheduler server: run bash command lines sent over HTTP, at most -j at once.",
        discussion: "Talk to it with curl, e.g.: curl 127.0.0.1:4321/help")

    @Option(name: [.customShort("a"), .customLong("addr")], help: "Address to listen on.")
    var address = "127.0.0.1"

    @Option(name: [.short, .long], help: "Port to listen on; 0 picks a free one.")
    var port: UInt16 = 4321

    @Option(name: [.customShort("d"), .customLong("dbfile")], help: "SQLite file with the job records; created if missing.")
    var dbfile = "jobs.sqlite"

    @Option(name: [.customShort("j"), .customLong("jobs")], help: "Most jobs running at once; the rest wait in a queue.")
    var jobs = 4

    @Option(name: .customLong("kill-grace"), help: "Seconds between SIGTERM and SIGKILL when ending a job's processes.")
    var killGrace = 3.0

    @Flag(help: "Start with an empty job table (job ids start again from 1).")
    var clear = false

    @Flag(help: "Keep queued jobs across restarts: run the ones a previous run left queued, and leave queued jobs queued at shutdown.")
    var resume = false

    @Option(help: "Directory for the output of jobs that have no outlog/errlog (default: DBFILE.spool).")
    var spool: String?

    @Option(name: .customLong("max-log"), help: "Bytes of output kept per job and stream in the spool (the tail is kept).")
    var maxLog = 10 << 20

    @Option(name: .customLong("keep-finished"), help: "Keep at most this many finished jobs; older ones are removed with their output.")
    var keepFinished: Int?

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("-j must be at least 1") }
        guard killGrace >= 0, killGrace.isFinite else { throw ValidationError("--kill-grace must be a number of seconds >= 0") }
        guard maxLog >= 1024 else { throw ValidationError("--max-log must be at least 1024 bytes") }
        guard (keepFinished ?? 0) >= 0 else { throw ValidationError("--keep-finished must be 0 or more") }
    }

    func run() throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = ServerConfiguration()
        configuration.address = address
        configuration.port = port
        configuration.databasePath = dbfile
        configuration.maxRunning = jobs
        configuration.killGrace = killGrace
        configuration.clear = clear
        configuration.resume = resume
        configuration.spoolDirectory = spool
        configuration.maxLogBytes = maxLog
        configuration.keepFinished = keepFinished

        let server: JobSchedServer
        do {
            server = try JobSchedServer(configuration: configuration, logger: Logger(label: "jobsched"))
        } catch {
            writeLine("jobsched: error: \(error)", to: 2)
            throw ExitCode.failure
        }
        // Scripts and tests read the real port from this line.
        writeLine("listening on \(server.url)", to: 1)
        server.run()
    }

    private func writeLine(_ text: String, to fd: Int32) {
        var line = text + "\n"
        line.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
