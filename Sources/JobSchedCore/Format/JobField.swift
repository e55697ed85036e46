/// A column of `/jobinfo`, and a key of a job's JSON object.
enum JobField: String, CaseIterable {
    case jobid, name, group, command, status, returncode, sync, outlog, errlog, msg
    case submitted, started, finished, pid

    /// Plain `/jobinfo` columns, in order.
    static let defaultFields: [JobField] = [.jobid, .name, .group, .status, .returncode, .submitted, .msg, .command]

    /// The original server's names for two columns.
    static let aliases: [String: JobField] = ["jobgroup": .group, "time": .submitted]

    /// The fields named, or nil when none were (text then shows `defaultFields`, JSON every field).
    static func parseList(_ names: [String]) throws(RequestError) -> [JobField]? {
        guard !names.isEmpty else { return nil }
        var fields: [JobField] = []
        for name in names {
            guard let field = JobField(rawValue: name) ?? aliases[name] else {
                throw .badRequest("unknown field '\(name)'; valid: " + allCases.map(\.rawValue).joined(separator: ","))
            }
            fields.append(field)
        }
        return fields
    }

    func json(of job: Job) -> JSON {
        switch self {
        case .jobid: return .int(job.id)
        case .name: return .string(job.name)
        case .group: return .string(job.group)
        case .command: return .string(job.command)
        case .status: return .string(job.status.rawValue)
        case .returncode: return JSON(job.returncode)
        case .sync: return .bool(job.sync)
        case .outlog: return JSON(job.outlog)
        case .errlog: return JSON(job.errlog)
        case .msg: return .string(job.msg)
        case .submitted: return .string(Timestamp.iso8601(job.submitted))
        case .started: return JSON(job.started.map(Timestamp.iso8601))
        case .finished: return JSON(job.finished.map(Timestamp.iso8601))
        case .pid: return JSON(job.pid)
        }
    }

    /// The plain-text cell: empty and null values are `-`.
    func text(of job: Job) -> String {
        switch json(of: job) {
        case .null: return "-"
        case .bool(let b): return b ? "1" : "0"
        case .int(let i): return String(i)
        case .string(let s): return s.isEmpty ? "-" : TextTable.escape(s)
        case .array, .object: return "-"
        }
    }
}
