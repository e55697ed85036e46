import JobSchedAPI
import JobSchedModel
import JobSchedSystem

/// Runs one client subcommand: reads its command line, sends its request,
/// prints the reply. Nothing here starts what only the server needs.
enum ClientProgram {
    /// The exit status.
    static func run(_ subcommand: ClientSubcommand, _ arguments: [String]) -> Int32 {
        unblockSignals()
        let line: ClientCommandLine
        let form: FormBody
        do {
            line = try ClientCommandLine(parsing: arguments, options: subcommand.options, commandFollows: subcommand.takesCommand)
            if line.has("help") {
                writeAll(Array(ClientHelp.usage(subcommand).utf8), to: 1)
                return 0
            }
            form = try subcommand.form(line, directory: currentDirectory() ?? ".", color: Terminal.wantsColor(1))
        } catch {
            writeLine("jobsched \(subcommand.rawValue): \(error)\n(see jobsched \(subcommand.rawValue) --help)", to: 2)
            return ClientExit.usage
        }
        do {
            let server = try ServerClient(url: line.value("url"), tokenFile: line.value("token-file"))
            return try perform(subcommand, line, form, on: server)
        } catch {
            writeLine("jobsched: \(error)", to: 2)
            return ClientExit.jobschedFailed
        }
    }

    private static func perform(_ subcommand: ClientSubcommand, _ line: ClientCommandLine, _ form: FormBody,
                                on server: ServerClient) throws(ClientFailure) -> Int32 {
        switch subcommand {
        case .add:
            var id = try server.text(.submit, form)
            while id.last == "\n" { id.removeLast() }
            writeLine(line.has("quiet") ? id : "job \(id) added", to: 1)
        case .run, .follow:
            let end = try server.streamJob(subcommand.endpoint, form, startsWithJobID: subcommand == .run)
            // `run` says how the job ended only when that is news; `follow` always does.
            if subcommand == .follow || !end.succeeded { writeLine(end.trailer, to: 2) }
            return ClientExit.status(of: end)
        case .wait:
            let (status, text) = try server.reply(.wait, form)
            // fail=1: 409 says some job did not succeed; the reply still lists them.
            guard status == 200 || status == 409 else { throw ServerClient.failure(status: status, text: text) }
            writeAll(Array(text.utf8), to: 1)
            return status == 200 ? 0 : ClientExit.notAllSucceeded
        case .show:
            let text = try server.text(.jobinfo, form)
            let isEmpty = line.has("json") ? text.hasPrefix("{\"jobs\": []") : text.isEmpty
            guard !isEmpty else { throw ClientFailure(description: "unknown job id \(line.arguments[0])") }
            writeAll(Array(text.utf8), to: 1)
        case .ls, .log, .kill, .rm, .restart, .edit, .pause, .resume, .groups, .shutdown:
            writeAll(Array(try server.text(subcommand.endpoint, form).utf8), to: 1)
        }
        return 0
    }
}
