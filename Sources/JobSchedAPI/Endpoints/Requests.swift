import JobSchedModel

/// The typed form of each endpoint's parameters, parsed without touching the server.
/// Each parameter is declared once, in its request's `Declared`; `parameters` is
/// the order `/help` lists them in.

package struct SubmitRequest: Equatable {
    package var command: String
    package var name: String
    package var group: String
    package var sync: Bool
    package var outlog: String?
    package var errlog: String?
    package var priority: Int
    package var after: [JobID]
    package var afterAny: [JobID]
    /// `delay=` as seconds from now, or `at=` as a time; at most one of them.
    package var delay: Double?
    package var at: Double?
    package var timeout: Double?
    package var retries: Int
    package var retryDelay: Double
    package var cwd: String?
    package var env: [String]
    /// The whole environment to start from instead of the server's (`jobsched add` sends its caller's); empty: the server's.
    package var environment: [String]
    package var unique: Bool
    package var format: OutputFormat
    /// What the job asks of the machine (or, with `--executor slurm`, of the cluster).
    package var resources: ResourceRequest
    /// `--executor slurm` only: what else the job asks of the cluster.
    package var slurm: SlurmOptions
    /// Where the job's end is POSTed.
    package var notify: WebhookURL?

    package enum Declared {
        static let command: Parameter<String> = .required("command", "bash command line, run as: bash -c COMMAND")
        static let name: Parameter<String> = .label("name", default: "job", "job name, to find it with jobinfo")
        static let group: Parameter<String> = .label("group", default: "default", "group name, to find it with jobinfo")
        static let sync: Parameter<Bool> = .flag("sync", default: true, "1: the reply streams the job's output and ends when the job does; 0: reply with the id at once")
        static let outlog: Parameter<String?> = .text("outlog", "file for the job's stdout (truncated at start; relative to the server's directory)")
        static let errlog: Parameter<String?> = .text("errlog", "file for the job's stderr (truncated at start; relative to the server's directory)")
        static let priority: Parameter<Int> = .integer("priority", default: 0, range: -1_000_000...1_000_000, "higher runs first; first come, first served within a priority")
        static let after: Parameter<[JobID]> = .jobIDs("after", "comma-separated job ids that must succeed (returncode 0) first; if one does not, this job is killed")
        static let afterAny: Parameter<[JobID]> = .jobIDs("afterany", "comma-separated job ids that must end first, however they end")
        static let delay: Parameter<Double?> = .seconds("delay", "how long to wait before the job may start: 90, 90s, 10m, 1h30m, 2d")
        static let at = Parameter<StartTime?>(.optional(
            "at", "ISO-8601 time before which the job does not start, e.g. 2026-11-29T18:00:00Z; or +10m: from now")
        ) { p, name throws(RequestError) in try p.startTime(name) }
        static let timeout: Parameter<Double?> = .seconds("timeout", "how long a run may take (90, 10m, 1h30m); then it is killed (SIGTERM, then SIGKILL)")
        static let retries: Parameter<Int> = .integer("retries", default: 0, range: 0...1000, "runs again up to N times while it ends with a non-zero code")
        static let retryDelay: Parameter<Double> = .seconds("retry_delay", default: 0, "how long between a failed run and the next (90, 10m, ...)")
        static let cwd: Parameter<String?> = .text("cwd", "working directory (default: the server's)")
        static let env: Parameter<[String]> = .repeated("env", "NAME=VALUE added to the environment; repeat for more")
        static let environment: Parameter<[String]> = .repeated(
            "environment", "NAME=VALUE, one entry of the whole environment the job starts from instead of the server's; repeat for each (jobsched add sends its caller's; one job, not a batch)")
        static let unique: Parameter<Bool> = .flag("unique", default: false, "1: if a queued or running job has the same name and group, return its id instead")
        static let format: Parameter<OutputFormat> = .format("reply as 'text' or 'json' (sync=0 only)")
        /// Read by `EndpointRequest` to choose a batch submit.
        static let lines: Parameter<Bool> = .flag("lines", default: false, "1 (in the query string, with sync=0): the body holds one command per line; the other parameters apply to each")
        // What the job uses: counted by a server started with --cpus, --mem, --gpus; Slurm's --cpus-per-task, --mem, --gpus.
        static let cpus: Parameter<String?> = .text("cpus", "cpus the job uses (default 1), in JOBSCHED_CPUS; counted on a server started with --cpus")
        static let mem: Parameter<String?> = .text("mem", "memory the job may use, e.g. 500M, 4G, 1T (a bare number is megabytes): stopped past it; reserved on a server started with --mem")
        static let gpus: Parameter<String?> = .text("gpus", "GPUs the job gets (default 0), its own ids in CUDA_VISIBLE_DEVICES and JOBSCHED_GPUS; needs a server started with --gpus")
        // --executor slurm: each becomes the sbatch/srun option of the same meaning.
        static let partition: Parameter<String?> = .checked("partition", "Slurm partition (--partition; default: the server's --slurm-partition)", example: "debug", SlurmOptions.isName)
        static let gres: Parameter<String?> = .checked("gres", "Slurm: generic resources (--gres), e.g. gpu:1", example: "gpu:1", SlurmOptions.isGres)
        static let nodes: Parameter<Int?> = .integer("nodes", range: 1...100_000, "Slurm: nodes to allocate (--nodes)")
        static let qos: Parameter<String?> = .checked("qos", "Slurm quality of service (--qos)", example: "normal", SlurmOptions.isName)
        static let notify: Parameter<WebhookURL?> = .webhook(
            "notify", "http:// or https:// URL the job's end is POSTed to as JSON, signed, retried until it answers 2xx (see README, Notifications)")
    }

    package static let parameters = [
        Declared.command.spec, Declared.name.spec, Declared.group.spec, Declared.sync.spec, Declared.outlog.spec,
        Declared.errlog.spec, Declared.priority.spec, Declared.after.spec, Declared.afterAny.spec, Declared.delay.spec,
        Declared.at.spec, Declared.timeout.spec, Declared.retries.spec, Declared.retryDelay.spec, Declared.cwd.spec,
        Declared.env.spec, Declared.environment.spec, Declared.unique.spec, Declared.format.spec, Declared.lines.spec,
        Declared.cpus.spec, Declared.mem.spec, Declared.gpus.spec, Declared.partition.spec, Declared.gres.spec,
        Declared.nodes.spec, Declared.qos.spec, Declared.notify.spec,
    ]

    package init(_ p: Parameters) throws(RequestError) {
        command = try Declared.command.value(in: p)
        name = try Declared.name.value(in: p)
        group = try Declared.group.value(in: p)
        sync = try Declared.sync.value(in: p)
        outlog = try Declared.outlog.value(in: p)
        errlog = try Declared.errlog.value(in: p)
        priority = try Declared.priority.value(in: p)
        after = try Declared.after.value(in: p)
        afterAny = try Declared.afterAny.value(in: p)
        (delay, at) = try SubmitRequest.startTime(in: p)
        timeout = try SubmitRequest.timeout(in: p)
        retries = try Declared.retries.value(in: p)
        retryDelay = try Declared.retryDelay.value(in: p)
        cwd = try Declared.cwd.value(in: p)
        env = try Declared.env.value(in: p)
        environment = try Declared.environment.value(in: p)
        for entry in env {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex,
                  entry[..<equals].allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }),
                  !entry.first!.isNumber else {
                throw .badRequest("env must be NAME=VALUE with a shell variable name, not \(Excerpt.quoted(entry))")
            }
        }
        unique = try Declared.unique.value(in: p)
        format = try Declared.format.value(in: p)
        if sync && format == .json {
            throw .badRequest("format=json needs sync=0: a sync submit replies with the job's output")
        }
        resources = try ResourceRequest(cpus: try Declared.cpus.value(in: p), mem: try Declared.mem.value(in: p),
                                        gpus: try Declared.gpus.value(in: p))
        slurm = SlurmOptions(partition: try Declared.partition.value(in: p), gres: try Declared.gres.value(in: p),
                             nodes: try Declared.nodes.value(in: p), qos: try Declared.qos.value(in: p))
        notify = try Declared.notify.value(in: p)
    }
}

extension SubmitRequest {
    /// `delay=` or `at=`, at most one: seconds from now, or a time (`at=+10m` is `delay=10m`).
    static func startTime(in p: Parameters) throws(RequestError) -> (delay: Double?, at: Double?) {
        let delay = try Declared.delay.value(in: p)
        switch try Declared.at.value(in: p) {
        case nil: return (delay, nil)
        case _? where delay != nil: throw .badRequest("give delay or at, not both")
        case .at(let time)?: return (nil, time)
        case .fromNow(let seconds)?: return (seconds, nil)
        }
    }

    /// `timeout=`, which must leave a run some time.
    static func timeout(in p: Parameters) throws(RequestError) -> Double? {
        let timeout = try Declared.timeout.value(in: p)
        if timeout == 0 { throw .badRequest("timeout must be more than 0 seconds") }
        return timeout
    }
}

package struct JobInfoRequest: Equatable {
    /// `view=`: a text reply laid out for people (`JobTable`).
    package enum View: String, CaseIterable, Sendable {
        /// Aligned columns, one job a line.
        case table
        /// One field a line, every value whole: `jobsched show`.
        case record
    }

    package var filter: JobFilter
    package var fields: [JobField]?
    package var format: OutputFormat
    /// nil: tab-separated columns, for scripts.
    package var view: View?
    /// `color=1`: the status in colour, for a terminal.
    package var isColored: Bool
    /// `width=N` (with view=table): the table fitted in N columns.
    package var width: Int?
    /// The widest `width=`: lines whole, no cell cut.
    package static let widest = 1_000_000

    package enum Declared {
        static let ids: Parameter<[JobID]> = .jobIDs("jobid", "comma-separated job ids")
        static let names: Parameter<[String]> = .list("name", "comma-separated job names")
        static let job: Parameter<[String]> = .list("job", "same as name")
        static let groups: Parameter<[String]> = .list("group", "comma-separated group names")
        static let owners: Parameter<[String]> = .list("owner", "comma-separated names of the tokens that submitted them")
        static let statuses = Parameter<[JobStatus]>(.optional(
            "status", "comma-separated statuses: " + JobStatus.allCases.map(\.rawValue).joined(separator: ","))
        ) { p, name throws(RequestError) in
            try p.list(name).map { item throws(RequestError) in
                guard let status = JobStatus(rawValue: item) else {
                    throw .badRequest("unknown status \(Excerpt.quoted(item)); valid: " + JobStatus.allCases.map(\.rawValue).joined(separator: ","))
                }
                return status
            }
        }
        static let all: Parameter<Bool> = .flag("all", default: false, "1: every job, whatever its status")
        static let fields = Parameter<[JobField]?>(.optional(
            "fields", default: JobField.defaultFields.map(\.rawValue).joined(separator: ","),
            "comma-separated columns (JSON: every one but environment by default): " + JobField.allCases.map(\.rawValue).joined(separator: ","))
        ) { p, name throws(RequestError) in try JobField.parseList(p.list(name)) }
        /// The column, and whether the order is descending.
        static let sort = Parameter<(field: JobField, descending: Bool)?>(.optional(
            "sort", default: "jobid",
            "column to sort by (" + JobField.sortable.map(\.rawValue).joined(separator: ",") + "); prefix - for descending")
        ) { p, name throws(RequestError) in
            guard let sort = p.string(name) else { return nil }
            let column = sort.hasPrefix("-") ? String(sort.dropFirst()) : sort
            guard let field = JobField(rawValue: column) ?? JobField.aliases[column], JobField.sortable.contains(field) else {
                throw .badRequest("cannot sort by \(Excerpt.quoted(column)); valid: " + JobField.sortable.map(\.rawValue).joined(separator: ","))
            }
            return (field, sort.hasPrefix("-"))
        }
        static let limit: Parameter<Int?> = .integer("limit", range: 1...Int(Int32.max), "show at most this many jobs")
        static let below = Parameter<JobID?>(.optional(
            "below", "only jobs whose id is below this one: the next page of sort=-jobid&limit=N")
        ) { p, name throws(RequestError) in
            p.string(name) == nil ? nil : JobID(try p.integer(name, default: 0, range: 1...Int(Int64.max)))
        }
        static let returncode: Parameter<Bool> = .word(
            "returncode", "nonzero", "nonzero: only jobs that ended with a returncode other than 0 (whatever their status)")
        static let waiting: Parameter<Bool> = .word(
            "waiting", "resources", "resources: only queued jobs next in line that wait for cpus, memory or GPUs to free (their msg says which)")
        static let format: Parameter<OutputFormat> = .format()
        static let view: Parameter<View?> = .choice(
            "view", "table: aligned columns for people (times as how long ago, durations, commands cut); record: a line per field of each job; text only")
        static let color: Parameter<Bool> = .flag("color", default: false, "1 (with view): the status in colour, for a terminal")
        static let width: Parameter<Int?> = .integer(
            "width", range: 20...JobInfoRequest.widest, "with view=table: fit each line in this many columns, cutting the command, then the name, message and group")
    }

    package static let parameters = [
        Declared.ids.spec, Declared.names.spec, Declared.job.spec, Declared.groups.spec, Declared.owners.spec, Declared.statuses.spec,
        Declared.returncode.spec, Declared.waiting.spec, Declared.all.spec, Declared.fields.spec, Declared.sort.spec, Declared.limit.spec,
        Declared.below.spec, Declared.format.spec, Declared.view.spec, Declared.color.spec, Declared.width.spec,
    ]

    package init(_ p: Parameters) throws(RequestError) {
        var filter = JobFilter()
        filter.ids = try Declared.ids.value(in: p)
        filter.names = try Declared.names.value(in: p) + Declared.job.value(in: p)
        filter.groups = try Declared.groups.value(in: p)
        filter.owners = try Declared.owners.value(in: p)
        filter.statuses = try Declared.statuses.value(in: p)
        filter.nonzeroReturncode = try Declared.returncode.value(in: p)
        filter.waitingForResources = try Declared.waiting.value(in: p)
        filter.all = try Declared.all.value(in: p)
        if let sort = try Declared.sort.value(in: p) {
            filter.sort = sort.field
            filter.descending = sort.descending
        }
        filter.limit = try Declared.limit.value(in: p)
        filter.belowID = try Declared.below.value(in: p)
        self.filter = filter
        fields = try Declared.fields.value(in: p)
        format = try Declared.format.value(in: p)
        view = try Declared.view.value(in: p)
        if let view, format == .json { throw .badRequest("view=\(view.rawValue) is a text reply: leave out format=json") }
        isColored = try Declared.color.value(in: p)
        if isColored && view == nil { throw .badRequest("color=1 needs view=table or view=record") }
        width = try Declared.width.value(in: p)
        if width != nil && view != .table { throw .badRequest("width= needs view=table") }
    }
}

/// /events: every change as it happens, narrowed like /jobinfo.
package struct EventsRequest: Equatable {
    package var filter: EventFilter

    package static let parameters = [
        JobInfoRequest.Declared.ids.spec, JobInfoRequest.Declared.groups.spec, JobInfoRequest.Declared.statuses.spec,
        JobInfoRequest.Declared.owners.spec,
    ]

    package init(_ p: Parameters) throws(RequestError) {
        filter = EventFilter(ids: Set(try JobInfoRequest.Declared.ids.value(in: p)),
                             groups: Set(try JobInfoRequest.Declared.groups.value(in: p)),
                             statuses: Set(try JobInfoRequest.Declared.statuses.value(in: p)),
                             owners: Set(try JobInfoRequest.Declared.owners.value(in: p)))
    }
}

/// /kill, /remove and /restart: a list of job ids.
package struct JobListRequest: Equatable {
    package var ids: [JobID]
    package var format: OutputFormat

    package enum Declared {
        static let ids: Parameter<[JobID]> = .requiredJobIDs("jobid", "comma-separated job ids")
        /// /restart's help for the same parameter: it takes one id (its handler checks).
        static let finishedJob: Parameter<[JobID]> = .requiredJobIDs("jobid", "the finished job to run again")
        static let format: Parameter<OutputFormat> = .format()
    }

    package static let parameters = [Declared.ids.spec, Declared.format.spec]
    package static let restartParameters = [Declared.finishedJob.spec, Declared.format.spec]

    package init(_ p: Parameters) throws(RequestError) {
        ids = try Declared.ids.value(in: p)
        format = try Declared.format.value(in: p)
    }
}

package struct CleanRequest: Equatable {
    package var statuses: [JobStatus]
    package var before: Double?
    package var format: OutputFormat

    package enum Declared {
        static let statuses = Parameter<[JobStatus]>(.optional(
            "status", default: "success,killed,failed", "comma-separated finished statuses")
        ) { p, name throws(RequestError) in
            let statuses = try p.list(name).map { item throws(RequestError) in
                guard let status = JobStatus(rawValue: item), status.isFinished else {
                    throw .badRequest("clean takes finished statuses (success,killed,failed), not \(Excerpt.quoted(item))")
                }
                return status
            }
            return statuses.isEmpty ? [.success, .killed, .failed] : statuses
        }
        static let before: Parameter<Double?> = .time("before", "only jobs that finished before this ISO-8601 time")
        static let format: Parameter<OutputFormat> = .format()
    }

    package static let parameters = [Declared.statuses.spec, Declared.before.spec, Declared.format.spec]

    package init(_ p: Parameters) throws(RequestError) {
        statuses = try Declared.statuses.value(in: p)
        before = try Declared.before.value(in: p)
        format = try Declared.format.value(in: p)
    }
}

package struct WaitRequest: Equatable {
    package var ids: [JobID]
    package var group: String?
    package var timeout: Double?
    /// Answer 409 unless every job succeeded (returncode 0).
    package var fail: Bool
    package var format: OutputFormat

    package enum Declared {
        /// Required unless `group` is given.
        static let ids = Parameter<[JobID]>(.required("jobid", "comma-separated job ids (or give group)")) {
            p, name throws(RequestError) in try p.jobIDs(name)
        }
        static let group: Parameter<String?> = .text("group", "also wait for every job queued or running in this group now")
        static let timeout: Parameter<Double?> = .seconds("timeout", "how long to wait at most (90, 10m, ...); unfinished jobs are then shown as they are")
        static let fail: Parameter<Bool> = .flag("fail", default: false, "1: answer 409 instead of 200 unless every job succeeded (for curl -f)")
        static let format: Parameter<OutputFormat> = .format()
    }

    package static let parameters = [
        Declared.ids.spec, Declared.group.spec, Declared.timeout.spec, Declared.fail.spec, Declared.format.spec,
    ]

    package init(_ p: Parameters) throws(RequestError) {
        ids = try Declared.ids.value(in: p)
        group = try Declared.group.value(in: p)
        guard !ids.isEmpty || group != nil else { throw .badRequest("missing required parameter 'jobid' (or group)") }
        timeout = try Declared.timeout.value(in: p)
        fail = try Declared.fail.value(in: p)
        format = try Declared.format.value(in: p)
    }
}

package struct HelpRequest: Equatable {
    package var topic: String?
    package var format: OutputFormat

    package enum Declared {
        static let topic: Parameter<String?> = .text("topic", "a command to describe")
        static let format: Parameter<OutputFormat> = .format()
    }

    package static let parameters = [Declared.topic.spec, Declared.format.spec]

    package init(_ p: Parameters) throws(RequestError) {
        topic = try Declared.topic.value(in: p)
        format = try Declared.format.value(in: p)
    }
}

package struct OutputRequest: Equatable {
    package var id: JobID
    package var follow: Bool
    package var stream: JobOutputStream

    package enum Declared {
        static let id: Parameter<[JobID]> = .requiredJobIDs("jobid", "the job")
        static let follow: Parameter<Bool> = .flag("follow", default: false, "1: keep streaming new output until the job ends, like tail -f")
        static let stream = Parameter<JobOutputStream>(.optional("stream", default: "both", "both, stdout or stderr")) {
            p, name throws(RequestError) in
            let text = p.string(name) ?? "both"
            guard let stream = JobOutputStream(rawValue: text) else {
                throw .badRequest("stream must be both, stdout or stderr, not \(Excerpt.quoted(text))")
            }
            return stream
        }
        static let format: Parameter<OutputFormat> = .format("only text: the reply is the output itself")
    }

    package static let parameters = [Declared.id.spec, Declared.follow.spec, Declared.stream.spec, Declared.format.spec]

    package init(_ p: Parameters) throws(RequestError) {
        let ids = try Declared.id.value(in: p)
        guard ids.count == 1 else { throw .badRequest("output takes one job id") }
        id = ids[0]
        follow = try Declared.follow.value(in: p)
        if try Declared.format.value(in: p) == .json {
            throw .badRequest("output replies with the job's output itself: format=json does not apply")
        }
        stream = try Declared.stream.value(in: p)
    }
}

/// /group: sets one group's limit, or lists the groups.
package struct GroupRequest: Equatable {
    /// What changes: each value given replaces the group's (a nil inside it
    /// removes it); a value not given (nil) leaves it as it is.
    package struct Setting: Equatable {
        package var name: String
        /// The group's own limit; nil inside: none of its own.
        package var limit: Int??
        /// Where the group's drain is POSTed; nil inside: nowhere.
        package var notify: WebhookURL??
    }

    /// The group to change and how; nil: only list.
    package var setting: Setting?
    package var format: OutputFormat
    /// `view=table`: the text in aligned columns, for people (`jobsched groups`).
    package var isTable: Bool

    package enum Declared {
        static let name: Parameter<String?> = .label("name", "the group to set (or group=); without it, list every group")
        static let group: Parameter<String?> = .label("group", "the group to set, as name= does")
        /// `none` or 0: no limit of the group's own.
        static let limit = Parameter<Int?>(.optional(
            "limit", "most jobs running at once in the group; 0 or none removes the group's own limit")
        ) { p, name throws(RequestError) in
            guard let text = p.string(name) else { return nil }
            return text == "none" ? 0 : try p.integer(name, default: 0, range: 0...1_000_000)
        }
        static let notify: Parameter<WebhookURL?> = .webhook(
            "notify", "http:// or https:// URL POSTed to each time the group drains (nothing queued or running after a job ended), with its counts; empty: none")
        static let format: Parameter<OutputFormat> = .format()
        static let table: Parameter<Bool> = .flag("table", default: false, "1: the text in aligned columns, for people; text only")
    }

    package static let parameters = [Declared.name.spec, Declared.group.spec, Declared.limit.spec, Declared.notify.spec,
                                     Declared.format.spec, Declared.table.spec]

    package init(_ p: Parameters) throws(RequestError) {
        format = try Declared.format.value(in: p)
        isTable = try Declared.table.value(in: p)
        let (byName, byGroup) = (try Declared.name.value(in: p), try Declared.group.value(in: p))
        if let byName, let byGroup, byName != byGroup { throw .badRequest("name and group name different groups: give one") }
        let isNotifyGiven = p.isGiven(Declared.notify.spec.name)
        guard let name = byName ?? byGroup else {
            if p.string(Declared.limit.spec.name) != nil || isNotifyGiven { throw .badRequest("limit and notify need name=GROUP") }
            setting = nil
            return
        }
        let limit = try Declared.limit.value(in: p)
        guard limit != nil || isNotifyGiven else {
            throw .badRequest("missing required parameter 'limit' or 'notify' (with name)")
        }
        setting = Setting(name: name, limit: limit.map { $0 == 0 ? nil : $0 },
                          notify: isNotifyGiven ? .some(try Declared.notify.value(in: p)) : nil)
    }
}

/// /pause and /resume: one group, or all of them.
package struct PauseRequest: Equatable {
    /// nil: every group.
    package var group: String?
    package var format: OutputFormat

    package enum Declared {
        static let group: Parameter<String?> = .label("group", "the group; without it, every group")
        static let format: Parameter<OutputFormat> = .format()
    }

    package static let parameters = [Declared.group.spec, Declared.format.spec]

    package init(_ p: Parameters) throws(RequestError) {
        format = try Declared.format.value(in: p)
        group = try Declared.group.value(in: p)
    }
}

/// `/submit?lines=1`: many async jobs in one request, one command per body line.
package struct BatchSubmitRequest {
    /// Every parameter but the command, shared by all the jobs.
    package var template: SubmitRequest
    /// The lines, read up to the first command here; the server reads the
    /// rest a part at a time, and refuses the batch if one is bad.
    package var lines: CommandLines

    package init(_ p: Parameters, body: [UInt8]) throws(RequestError) {
        guard try !SubmitRequest.Declared.sync.value(in: p) else {
            throw .badRequest("lines=1 needs sync=0: a batch replies with the job ids only")
        }
        guard p.string(SubmitRequest.Declared.command.spec.name) == nil else {
            throw .badRequest("with lines=1 the commands are the lines of the body; leave out command=")
        }
        lines = CommandLines(body)
        while lines.commands.isEmpty && !lines.isComplete { try lines.read(upTo: 1) }
        guard let first = lines.commands.first else { throw CommandLines.noCommand }
        template = try SubmitRequest(p.setting("command", to: first))
    }
}
