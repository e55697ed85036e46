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
        let waits: ServerWaits
        do {
            line = try ClientCommandLine(parsing: arguments, options: subcommand.options, commandFollows: subcommand.takesCommand)
            if line.has("help") {
                writeAll(Array(ClientHelp.usage(subcommand).utf8), to: 1)
                return 0
            }
            form = try subcommand.form(line, directory: currentDirectory() ?? ".", color: Terminal.wantsColor(1),
                                       environment: BaseEnvironment.current(), width: Terminal.columns(1))
            waits = try ServerWaits(subcommand, line)
        } catch {
            writeLine("jobsched \(subcommand.rawValue): \(error)\n(see jobsched \(subcommand.rawValue) --help)", to: 2)
            return ClientExit.usage
        }
        do {
            let server = try ServerClient(url: line.value("url"), tokenFile: line.value("token-file"),
                                          cacert: line.value("cacert"), fingerprint: line.value("fingerprint"), waits: waits)
            return try perform(subcommand, line, form, on: server)
        } catch {
            writeLine("jobsched: " + subcommand.inItsTerms(error.description), to: 2)
            return error.status
        }
    }

    private static func perform(_ subcommand: ClientSubcommand, _ line: ClientCommandLine, _ form: FormBody,
                                on server: ServerClient) throws(ClientFailure) -> Int32 {
        switch subcommand {
        case .add, .restart:
            let reply = try server.read(subcommand.endpoint, form)
            let id = try server.checked { () throws(BadReply) in try JobIDReply.id(reply[...]) }
            writeLine(line.has("quiet") ? String(id) : "job \(id) added", to: 1)
        case .run, .follow:
            // The form has checked that follow's argument is a job id.
            let end = try server.streamJob(subcommand.endpoint, form, following: subcommand == .follow ? JobID(line.arguments[0]) : nil)
            guard let status = ClientExit.status(of: end) else {
                let line = TextTable.statusLine(id: end.id, status: end.status, returncode: end.returncode)
                throw .badReply(from: server.address, "no job can end as '\(line)'")
            }
            // How the job ended, when that is news (its exit status says it anyway), and why.
            if !end.succeeded { writeLine(end.trailer + reason(end, server), to: 2) }
            return status
        case .wait:
            // fail=1: 409 says some job did not succeed; the reply still lists them.
            var reply = WaitReply()
            let status = try server.printReply(.wait, form, accepting: [200, 409]) { bytes throws(ClientFailure) in
                try server.checked { () throws(BadReply) in try reply.take(bytes) }
            }
            let allSucceeded = try server.checked { () throws(BadReply) in try reply.finish(status: status) }
            return allSucceeded ? 0 : ClientExit.notAllSucceeded
        case .kill, .rm, .pause, .resume:
            // A job the server could not act on (or a group no job has used): its line on stderr.
            var reply = ResultLines()
            try server.printReply(subcommand.endpoint, form) { bytes throws(ClientFailure) in
                try printSorted(reply.take(bytes), server)
            }
            _ = try printSorted(reply.finish(), server)
            return reply.errors > 0 ? ClientExit.jobschedFailed : 0
        case .ls, .show:
            // 404: some ids are no job's; the others are listed, then that line (on stderr).
            var reply = ResultLines(errorsAs: "jobsched: ")
            let status = try server.printReply(.jobinfo, form, accepting: [200, 404]) { bytes throws(ClientFailure) in
                try printSorted(reply.take(bytes), server)
            }
            _ = try printSorted(reply.finish(), server)
            return status == 404 ? ClientExit.jobschedFailed : 0
        case .log, .edit, .groups, .clean, .shutdown:
            try server.printReply(subcommand.endpoint, form)
        }
        return 0
    }

    /// `: ` and the job's `msg` (why it could not start, was killed), when it has one.
    private static func reason(_ end: JobEndReport, _ server: ServerClient) -> String {
        guard end.status != .success else { return "" }
        var form = FormBody()
        form.add("jobid", String(end.id))
        form.add("fields", "msg")
        guard let reply = try? server.read(.jobinfo, form) else { return "" }
        let lines = String(decoding: reply, as: UTF8.self).split(separator: "\n")
        guard lines.count == 2, lines[1] != "-" else { return "" }
        return ": " + lines[1]
    }

    /// Prints the stdout lines through `server` (which stops on a closed stdout), the rest on stderr;
    /// returns nothing for `printReply` to print itself.
    private static func printSorted(_ lines: ResultLines.Lines, _ server: ServerClient) throws(ClientFailure) -> [UInt8] {
        try server.printOut(lines.out)
        if !lines.err.isEmpty { _ = writeAll(lines.err, to: 2) }
        return []
    }
}
