import ArgumentParser
import JobSchedAPI
import JobSchedModel
import JobSchedSystem

struct ListCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List jobs as a table: every job, or the ones the options select.",
        aliases: ["status"])

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Only these jobs.")
    var ids: [JobID] = []

    @Option(name: .shortAndLong, help: ArgumentHelp("Only jobs of these groups, comma-separated.", valueName: "groups"))
    var group: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Only jobs with these names, comma-separated.", valueName: "names"))
    var name: String?

    @Option(help: ArgumentHelp("Only jobs in these statuses: queued,running,success,killed,failed.", valueName: "statuses"))
    var status: String?

    @Flag(name: .shortAndLong, help: "Only queued and running jobs.")
    var active = false

    @Flag(help: "Only jobs that ended with a returncode other than 0.")
    var nonzero = false

    @Option(help: ArgumentHelp("Only the newest N jobs, newest first.", valueName: "n"))
    var last: Int?

    @Option(help: ArgumentHelp("Columns, comma-separated, as /jobinfo's fields= (e.g. jobid,status,cpu_user,max_rss_kb).", valueName: "fields"))
    var fields: String?

    @Flag(help: "Every field of each job as JSON, for scripts.")
    var json = false

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        var form = FormBody()
        form.add("jobid", ids.isEmpty ? nil : ids.map(String.init).joined(separator: ","))
        form.add("group", group)
        form.add("name", name)
        form.add("status", status)
        form.add("all", active || status != nil ? nil : "1")
        form.add("returncode", nonzero ? "nonzero" : nil)
        if let last { form.add("sort", "-jobid"); form.add("limit", String(last)) }
        form.add("fields", fields)
        form.addView(json ? nil : .table)
        writeAll(Array(try server.text(.jobinfo, form).utf8), to: 1)
        return 0
    }
}

struct ShowCommand: ClientCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Every field of one job: its command, times, dependencies, where it ran and what it cost (CPU time, peak memory).")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The job.")
    var id: JobID

    @Flag(help: "As JSON.")
    var json = false

    func run(on server: ServerClient) throws(ClientFailure) -> Int32 {
        var form = FormBody()
        form.add("jobid", String(id))
        form.addView(json ? nil : .record)
        let text = try server.text(.jobinfo, form)
        let isEmpty = json ? text.hasPrefix("{\"jobs\": []") : text.isEmpty
        guard !isEmpty else { throw ClientFailure(description: "unknown job id \(id)") }
        writeAll(Array(text.utf8), to: 1)
        return 0
    }
}

extension FormBody {
    /// `view=` for people, in colour when stdout is a terminal; nil: JSON.
    mutating func addView(_ view: JobInfoRequest.View?) {
        guard let view else { return add("format", "json") }
        add("view", view.rawValue)
        if Terminal.wantsColor(1) { add("color", "1") }
    }
}
