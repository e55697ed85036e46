import JobSchedModel

/// The typed form of each command's parameters, parsed without touching the server.

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
    package var unique: Bool
    package var format: OutputFormat

    package init(_ p: Parameters) throws(RequestError) {
        command = try p.required("command")
        name = try p.label("name") ?? "job"
        group = try p.label("group") ?? "default"
        sync = try p.flag("sync", default: true)
        outlog = p.string("outlog")
        errlog = p.string("errlog")
        priority = try p.integer("priority", default: 0, range: -1_000_000...1_000_000)
        after = try p.jobIDs("after")
        afterAny = try p.jobIDs("afterany")
        delay = try p.seconds("delay")
        at = try p.time("at")
        if delay != nil && at != nil { throw .badRequest("give delay or at, not both") }
        timeout = try p.seconds("timeout")
        if timeout == 0 { throw .badRequest("timeout must be more than 0 seconds") }
        retries = try p.integer("retries", default: 0, range: 0...1000)
        retryDelay = try p.seconds("retry_delay") ?? 0
        cwd = p.string("cwd")
        env = p.repeated("env")
        for entry in env {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex,
                  entry[..<equals].allSatisfy({ $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }),
                  !entry.first!.isNumber else {
                throw .badRequest("env must be NAME=VALUE with a shell variable name, not \(Excerpt.quoted(entry))")
            }
        }
        unique = try p.flag("unique", default: false)
        format = try p.format
        if sync && format == .json {
            throw .badRequest("format=json needs sync=0: a sync submit replies with the job's output")
        }
    }
}

package struct JobInfoRequest: Equatable {
    package var filter: JobFilter
    package var fields: [JobField]?
    package var format: OutputFormat

    package init(_ p: Parameters) throws(RequestError) {
        var filter = JobFilter()
        filter.ids = try p.jobIDs("jobid")
        filter.names = p.list("name") + p.list("job")
        filter.groups = p.list("group")
        for item in p.list("status") {
            guard let status = JobStatus(rawValue: item) else {
                throw .badRequest("unknown status \(Excerpt.quoted(item)); valid: " + JobStatus.allCases.map(\.rawValue).joined(separator: ","))
            }
            filter.statuses.append(status)
        }
        filter.all = try p.flag("all", default: false)
        if let sort = p.string("sort") {
            let name = sort.hasPrefix("-") ? String(sort.dropFirst()) : sort
            guard let field = JobField(rawValue: name) ?? JobField.aliases[name], JobField.sortable.contains(field) else {
                throw .badRequest("cannot sort by \(Excerpt.quoted(name)); valid: " + JobField.sortable.map(\.rawValue).joined(separator: ","))
            }
            filter.sort = field
            filter.descending = sort.hasPrefix("-")
        }
        if p.string("limit") != nil { filter.limit = try p.integer("limit", default: 0, range: 1...Int(Int32.max)) }
        self.filter = filter
        fields = try JobField.parseList(p.list("fields"))
        format = try p.format
    }
}

/// /kill, /remove and /restart: a list of job ids.
package struct JobListRequest: Equatable {
    package var ids: [JobID]
    package var format: OutputFormat

    package init(_ p: Parameters) throws(RequestError) {
        ids = try p.requiredJobIDs("jobid")
        format = try p.format
    }
}

package struct CleanRequest: Equatable {
    package var statuses: [JobStatus]
    package var before: Double?
    package var format: OutputFormat

    package init(_ p: Parameters) throws(RequestError) {
        statuses = try p.list("status").map { item throws(RequestError) in
            guard let status = JobStatus(rawValue: item), status.isFinished else {
                throw .badRequest("clean takes finished statuses (success,killed,failed), not \(Excerpt.quoted(item))")
            }
            return status
        }
        if statuses.isEmpty { statuses = [.success, .killed, .failed] }
        before = try p.time("before")
        format = try p.format
    }
}

package struct WaitRequest: Equatable {
    package var ids: [JobID]
    package var group: String?
    package var timeout: Double?
    /// Answer 409 unless every job succeeded (returncode 0).
    package var fail: Bool
    package var format: OutputFormat

    package init(_ p: Parameters) throws(RequestError) {
        ids = try p.jobIDs("jobid")
        group = p.string("group")
        guard !ids.isEmpty || group != nil else { throw .badRequest("missing required parameter 'jobid' (or group)") }
        timeout = try p.seconds("timeout")
        fail = try p.flag("fail", default: false)
        format = try p.format
    }
}

package struct HelpRequest: Equatable {
    package var topic: String?
    package var format: OutputFormat

    package init(_ p: Parameters) throws(RequestError) {
        topic = p.string("topic")
        format = try p.format
    }
}

package struct OutputRequest: Equatable {
    package var id: JobID
    package var follow: Bool
    package var stream: JobOutputStream

    package init(_ p: Parameters) throws(RequestError) {
        let ids = try p.requiredJobIDs("jobid")
        guard ids.count == 1 else { throw .badRequest("output takes one job id") }
        id = ids[0]
        follow = try p.flag("follow", default: false)
        if try p.format == .json { throw .badRequest("output replies with the job's output itself: format=json does not apply") }
        let name = p.string("stream") ?? "both"
        guard let stream = JobOutputStream(rawValue: name) else {
            throw .badRequest("stream must be both, stdout or stderr, not \(Excerpt.quoted(name))")
        }
        self.stream = stream
    }
}

/// `/submit?lines=1`: many async jobs in one request, one command per body line.
package struct BatchSubmitRequest {
    /// Every parameter but the command, shared by all the jobs.
    package var template: SubmitRequest
    package var commands: [String]

    package init(_ p: Parameters, body: [UInt8]) throws(RequestError) {
        guard try !p.flag("sync", default: true) else {
            throw .badRequest("lines=1 needs sync=0: a batch replies with the job ids only")
        }
        guard p.string("command") == nil else {
            throw .badRequest("with lines=1 the commands are the lines of the body; leave out command=")
        }
        commands = try CommandLines.parse(body)
        template = try SubmitRequest(p.setting("command", to: commands[0]))
    }
}
