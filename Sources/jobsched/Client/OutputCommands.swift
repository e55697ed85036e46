import ArgumentParser
import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// Which of a job's output streams to show.
struct StreamOption: ParsableArguments {
    @Option(help: ArgumentHelp("both, stdout or stderr.", valueName: "stream"))
    var stream = "both"
}

struct LogCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "A job's output so far (kept unless it went to --outlog/--errlog).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var streamOption: StreamOption
    @Argument(help: "The job.") var id: JobID

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        var form = FormBody()
        form.add("jobid", String(id))
        form.add("stream", streamOption.stream)
        writeAll(Array(try server.text(.output, form).utf8), to: 1)
        return 0
    }
}

struct FollowCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "A job's output, live until it ends; then how it ended, and exit as `run` does.",
        discussion: "Ctrl-C stops following; the job goes on.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var streamOption: StreamOption
    @Argument(help: "The job.") var id: JobID

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        var form = FormBody()
        form.add("jobid", String(id))
        form.add("stream", streamOption.stream)
        form.add("follow", "1")
        let end = try server.streamJob(.output, form, startsWithJobID: false)
        writeLine(end.trailer, to: 2)
        return ClientExit.status(of: end)
    }
}

struct WaitCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Block until jobs end, then show how each ended.",
        discussion: "Exit status 0 when every job ended with returncode 0, \(ClientExit.notAllSucceeded) otherwise (also when --timeout passed first).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The jobs.")
    var ids: [JobID] = []

    @Option(name: .shortAndLong, help: "Also every job queued or running in this group now.")
    var group: String?

    @Option(help: "Wait at most this long: 90, 10m, 1h.")
    var timeout: String?

    func validate() throws {
        guard !ids.isEmpty || group != nil else { throw ValidationError("give job ids or -g GROUP") }
    }

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        var form = FormBody()
        form.add("jobid", ids.isEmpty ? nil : ids.map(String.init).joined(separator: ","))
        form.add("group", group)
        form.add("timeout", timeout)
        form.add("fail", "1")
        let (status, text) = try server.reply(.wait, form)
        // fail=1: 409 says some job did not succeed; the reply still lists them.
        guard status == 200 || status == 409 else { throw ServerClient.failure(status: status, text: text) }
        writeAll(Array(text.utf8), to: 1)
        return status == 200 ? 0 : ClientExit.notAllSucceeded
    }
}
