import JobSchedModel

/// The client's subcommands: each talks to one endpoint, and its options are
/// that endpoint's parameters as flags. Everything here is declaration and
/// pure translation (command line to form); the binary does the I/O.
package enum ClientSubcommand: String, CaseIterable, Sendable {
    case add, run, ls, show, log, follow, wait, kill, rm, clean, restart, edit, pause, resume, groups, shutdown

    /// `jobsched status` is `jobsched ls`.
    package init?(name: String) {
        self.init(rawValue: name == "status" ? "ls" : name)
    }

    package var endpoint: Endpoint {
        switch self {
        case .add, .run: return .submit
        case .ls, .show: return .jobinfo
        case .log, .follow: return .output
        case .wait: return .wait
        case .kill: return .kill
        case .rm: return .remove
        case .clean: return .clean
        case .restart: return .restart
        case .edit: return .edit
        case .pause: return .pause
        case .resume: return .resume
        case .groups: return .group
        case .shutdown: return .shutdown
        }
    }

    package var summary: String {
        switch self {
        case .add: return "queue a command as a job and print its id"
        case .run: return "run a command as a job, print its output, exit as it did"
        case .ls: return "list jobs as a table (also: status)"
        case .show: return "one job in full: times, dependencies, where it ran, its cost"
        case .log: return "a job's output so far"
        case .follow: return "a job's output live until it ends, then how it ended"
        case .wait: return "block until jobs end; exit 0 only if every one exited 0"
        case .kill: return "cancel queued or running jobs"
        case .rm: return "delete finished jobs and their kept output"
        case .clean: return "delete every finished job (or those of --status, finished --before a time)"
        case .restart: return "queue a finished job's command again; print the new id"
        case .edit: return "change a job that has not started"
        case .pause: return "start no new jobs in a group (or in every group)"
        case .resume: return "start jobs again in a group (or in every group)"
        case .groups: return "the groups and their progress; NAME --limit N sets a limit, NAME --notify URL a URL told when it drains"
        case .shutdown: return "kill every job and stop the server"
        }
    }

    /// What follows the options in the usage line.
    package var argumentsUsage: String {
        switch self {
        case .add, .run: return "[--] COMMAND..."
        case .ls: return "[ID...]"
        case .show, .log, .follow, .restart: return "ID"
        case .wait: return "[ID...]"
        case .kill, .rm: return "ID..."
        case .clean: return ""
        case .edit: return "ID [-- COMMAND...]"
        case .pause, .resume: return "[GROUP]"
        case .groups: return "[GROUP --limit N | --notify URL]"
        case .shutdown: return ""
        }
    }

    /// A subcommand whose words after the options are a command to run.
    package var takesCommand: Bool { self == .add || self == .run }

    package var options: [ClientOption] {
        let own: [ClientOption]
        switch self {
        case .add: own = [.local("quiet", "q", "print the job id only"), Self.noEnvironment] + Self.jobOptions
        case .run: own = [Self.noEnvironment] + Self.jobOptions
        case .ls:
            own = [
                .value("group", "g", as: "groups"),
                .value("name", "n", as: "names"),
                .value("owner", as: "owners"),
                .value("status", as: "statuses"),
                .local("active", "a", "only queued and running jobs"),
                .flag("nonzero", sets: "returncode", to: "nonzero", "only jobs that ended with a returncode other than 0"),
                .flag("waiting", sets: "waiting", to: "resources", "only queued jobs next in line that wait for cpus, memory or GPUs"),
                .local("last", as: "n", "only the newest N jobs, newest first"),
                .value("fields", as: "fields"),
                .local("json", nil, "every field of each job as JSON"),
            ]
        case .show: own = [.local("json", nil, "as JSON")]
        case .log, .follow: own = [.value("stream", as: "stream")]
        case .wait:
            own = [.value("group", "g", as: "group"),
                   .value("timeout", as: "duration")]
        case .edit:
            // What /edit may change, as `add` takes it.
            let editable: Set = ["name", "group", "priority", "delay", "at", "timeout", "retries", "retry-delay", "cpus", "mem", "gpus", "notify"]
            own = Self.jobOptions.filter { editable.contains($0.long) }
        case .groups: own = [.value("limit", as: "n"), .value("notify", as: "url")]
        case .clean: own = [.value("status", as: "statuses"), .value("before", as: "time")]
        case .restart: own = [.local("quiet", "q", "print the new job's id only")]
        case .kill, .rm, .pause, .resume, .shutdown: own = []
        }
        return own + Self.connectionOptions
    }

    /// Where the server is, the token it asks for, and how long to wait on it.
    package static let connectionOptions: [ClientOption] = [
        .local("url", as: "url", "the server: http://HOST:PORT, https://HOST:PORT, HOST:PORT, :PORT or unix:PATH (default: $JOBSCHED_URL, else 127.0.0.1:4321)"),
        .local("cacert", as: "file", "https: trust the certificates of this PEM file, not the system's (default: $JOBSCHED_CACERT)"),
        .local("fingerprint", as: "sha256", "https: trust the server whose certificate has this SHA-256 fingerprint, in hex with or without colons (default: $JOBSCHED_FINGERPRINT)"),
        .local("token-file", as: "file", "file holding the server's token (default: $JOBSCHED_TOKEN)"),
        .local("server-timeout", as: "duration",
               "give up when the server takes longer to connect, to start its reply, or to send more of it; a job's live output is not timed "
                + "(default: \(Timestamp.seconds(ServerWaits.defaultSeconds))s; 0: wait without end)"),
        .local("help", "h", "show this help"),
    ]

    private static let noEnvironment: ClientOption = .local(
        "no-env", nil, "start the job from the server's environment, not this shell's (-e still adds to it)")

    /// /submit's parameters, for `add` and `run`.
    private static let jobOptions: [ClientOption] = [
        .value("name", "n", as: "name"),
        .value("group", "g", as: "group"),
        .value("priority", as: "n"),
        .value("after", as: "ids"),
        .value("afterany", as: "ids"),
        .value("delay", as: "duration"),
        .value("at", as: "time"),
        .value("timeout", as: "duration"),
        .value("retries", as: "n"),
        .value("retry-delay", as: "duration", parameter: "retry_delay"),
        .flag("unique", sets: "unique", "if a queued or running job has the same name and group, use it instead"),
        .value("env", "e", as: "name=value"),
        .value("cwd", as: "dir", isPath: true, "working directory (default: this one)"),
        .value("outlog", as: "file", isPath: true, "file for the job's stdout"),
        .value("errlog", as: "file", isPath: true, "file for the job's stderr"),
        .value("cpus", as: "n"),
        .value("mem", as: "size"),
        .value("gpus", as: "n"),
        .value("partition", as: "name"),
        .value("gres", as: "list"),
        .value("nodes", as: "n"),
        .value("qos", as: "name"),
        .value("notify", as: "url"),
    ]

    /// The request for `line`; `directory` is where the client runs, and
    /// `color` whether its output goes to a terminal that shows colour;
    /// `environment` is the client's, which a job starts from (`add`, `run`);
    /// `width`, the columns of the terminal it prints to, if it does (`ls` fits its table in them).
    package func form(_ line: ClientCommandLine, directory: String, color: Bool,
                      environment: [String] = [], width: Int? = nil) throws(CommandLineError) -> FormBody {
        var form = FormBody()
        let declared = options
        for (name, value) in line.options {
            guard let option = declared.first(where: { $0.long == name }), let parameter = option.parameter,
                  !parameter.isEmpty else { continue }
            // A usage error like any other (64), not the server's refusal (125).
            if option.kind == .value("duration"), DurationText.seconds(value) == nil {
                throw CommandLineError("--\(name) takes a duration such as \(DurationText.examples), not \(Excerpt.quoted(value))")
            }
            form.add(parameter, option.isPath ? Self.absolute(value, in: directory) : value)
        }
        let words = line.arguments
        switch self {
        case .add, .run:
            guard !words.isEmpty else { throw CommandLineError("give the command after --, e.g. jobsched \(rawValue) -- make test") }
            form.add("command", ShellWords.commandLine(words))
            form.add("sync", self == .run ? "1" : "0")
            // The job runs here, as it would typed at this prompt: in this directory, with this environment.
            if !line.has("cwd") { form.add("cwd", directory) }
            if !line.has("no-env") {
                for entry in SubmittedEnvironment.carried(environment) { form.add("environment", entry) }
            }
        case .ls:
            form.add("jobid", try Self.ids(words, min: 0))
            if !line.has("active") && !line.has("status") { form.add("all", "1") }
            if let last = line.value("last") {
                form.add("sort", "-jobid")
                form.add("limit", last)
            }
            form.addView(line.has("json") ? nil : .table, color: color)
            // A terminal's width; into a pipe, lines whole.
            if !line.has("json") { form.add("width", String(width.map { max($0, 20) } ?? JobInfoRequest.widest)) }
        case .show, .log, .follow, .restart:
            form.add("jobid", try Self.ids(words, min: 1, max: 1))
            if self == .show { form.addView(line.has("json") ? nil : .record, color: color) }
            if self == .follow { form.add("follow", "1") }
        case .wait:
            form.add("jobid", try Self.ids(words, min: line.has("group") ? 0 : 1))
            form.add("fail", "1")
        case .kill, .rm:
            form.add("jobid", try Self.ids(words, min: 1))
        case .edit:
            guard let id = words.first else { throw CommandLineError("give the job's id, e.g. jobsched edit 12 --priority 5") }
            form.add("jobid", try Self.ids([id], min: 1))
            if words.count > 1 { form.add("command", ShellWords.commandLine(Array(words.dropFirst()))) }
        case .pause, .resume, .groups:
            guard words.count <= 1 else { throw CommandLineError("give one group at most") }
            form.add(self == .groups ? "name" : "group", words.first)
            if self == .groups { form.add("table", "1") }
            if self == .groups && (words.isEmpty != !(line.has("limit") || line.has("notify"))) {
                throw CommandLineError("give a group and --limit or --notify together, e.g. jobsched groups build --limit 2")
            }
        case .shutdown, .clean:
            guard words.isEmpty else { throw CommandLineError("\(rawValue) takes no arguments") }
        }
        return form
    }

    /// An option's help: its own, else its endpoint parameter's (as `/help?topic=` shows it).
    package func help(for option: ClientOption) -> String {
        option.help ?? endpoint.parameters.first { $0.name == option.parameter }?.summary ?? ""
    }

    /// Job ids as `jobid=` wants them: checked here so that the message names the argument.
    private static func ids(_ words: [String], min: Int, max: Int = .max) throws(CommandLineError) -> String? {
        guard words.count >= min else { throw CommandLineError(min == 1 && max == 1 ? "give one job id" : "give job ids") }
        guard words.count <= max else { throw CommandLineError("give one job id, not \(words.count)") }
        for word in words where JobID(word).map({ $0 > 0 }) != true {
            throw CommandLineError("a job id is a number such as 12, not \(Excerpt.quoted(word))")
        }
        return words.isEmpty ? nil : words.joined(separator: ",")
    }

    private static func absolute(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") ? path : directory + "/" + path
    }
}

extension FormBody {
    /// `view=` for people, in colour for a terminal; nil: `format=json`.
    fileprivate mutating func addView(_ view: JobInfoRequest.View?, color: Bool) {
        guard let view else { return add("format", "json") }
        add("view", view.rawValue)
        if color { add("color", "1") }
    }
}
