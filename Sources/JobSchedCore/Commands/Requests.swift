/// The typed form of each command's parameters, parsed without touching the server.

struct SubmitRequest: Equatable {
    var command: String
    var name: String
    var group: String
    var sync: Bool
    var outlog: String?
    var errlog: String?
    var format: OutputFormat

    init(_ p: Parameters) throws(RequestError) {
        command = try p.required("command")
        name = p.string("name") ?? "job"
        group = p.string("group") ?? "default"
        sync = try p.flag("sync", default: true)
        outlog = p.string("outlog")
        errlog = p.string("errlog")
        format = try p.format
        if sync && format == .json {
            throw .badRequest("format=json needs sync=0: a sync submit replies with the job's output")
        }
    }
}

struct JobInfoRequest: Equatable {
    var filter: JobFilter
    var fields: [JobField]?
    var format: OutputFormat

    init(_ p: Parameters) throws(RequestError) {
        var filter = JobFilter()
        filter.ids = try p.jobIDs("jobid")
        filter.names = p.list("name") + p.list("job")
        filter.groups = p.list("group")
        for item in p.list("status") {
            guard let status = JobStatus(rawValue: item) else {
                throw .badRequest("unknown status '\(item)'; valid: " + JobStatus.allCases.map(\.rawValue).joined(separator: ","))
            }
            filter.statuses.append(status)
        }
        filter.all = try p.flag("all", default: false)
        self.filter = filter
        fields = try JobField.parseList(p.list("fields"))
        format = try p.format
    }
}

struct KillRequest: Equatable {
    var ids: [JobID]
    var format: OutputFormat

    init(_ p: Parameters) throws(RequestError) {
        ids = try p.requiredJobIDs("jobid")
        format = try p.format
    }
}

struct WaitRequest: Equatable {
    var ids: [JobID]
    var timeout: Double?
    var format: OutputFormat

    init(_ p: Parameters) throws(RequestError) {
        ids = try p.requiredJobIDs("jobid")
        timeout = try p.seconds("timeout")
        format = try p.format
    }
}

struct HelpRequest: Equatable {
    var topic: String?
    var format: OutputFormat

    init(_ p: Parameters) throws(RequestError) {
        topic = p.string("topic")
        format = try p.format
    }
}
