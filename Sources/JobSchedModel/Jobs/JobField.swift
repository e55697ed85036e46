/// A column of `/jobinfo`, and a key of a job's JSON object.
package enum JobField: String, CaseIterable {
    case jobid, name, group, command, status, returncode, sync, outlog, errlog, msg
    case submitted, started, finished, pid
    case priority, after, afterany, notbefore, timeout, retries
    case retryDelay = "retry_delay"
    case attempts, cwd, env, runtime
    case slurm
    case slurmJobID = "slurm_jobid"
    case node
    case slurmState = "slurm_state"
    case slurmReason = "slurm_reason"
    case cpuUser = "cpu_user"
    case cpuSystem = "cpu_system"
    case maxRSS = "max_rss_kb"
    /// What the job asks (`mem` in bytes), and the GPUs and cores its run got.
    case cpus, mem, gpus
    case gpuIDs = "gpu_ids"
    case cpuIDs = "cpu_ids"
    /// The name of the token that submitted it.
    case owner
    /// `notify=`'s URL, and where the notification of the job's end stands.
    case notify
    case notifyStatus = "notify_status"
    /// The whole environment the job was submitted with: only when asked for (it may hold secrets).
    case environment

    /// What JSON and records carry when no `fields=` is given: every field
    /// but the environment, which is listed only when named.
    package static let everyListedField = allCases.filter { $0 != .environment }

    /// Plain `/jobinfo` columns, in order. JSON carries `everyListedField`, in their order.
    package static let defaultFields: [JobField] = [.jobid, .name, .group, .status, .returncode, .submitted, .msg, .command]

    /// The columns `sort=` accepts.
    package static let sortable: [JobField] = [.jobid, .name, .group, .command, .status, .returncode, .submitted, .started,
                                               .finished, .priority, .attempts]

    /// The original server's names for two columns.
    package static let aliases: [String: JobField] = ["jobgroup": .group, "time": .submitted]

    /// The fields named, or nil when none were (text then shows `defaultFields`, JSON every field).
    package static func parseList(_ names: [String]) throws(RequestError) -> [JobField]? {
        guard !names.isEmpty else { return nil }
        var fields: [JobField] = []
        for name in names {
            guard let field = JobField(rawValue: name) ?? aliases[name] else {
                throw .badRequest("unknown field \(Excerpt.quoted(name)); valid: " + allCases.map(\.rawValue).joined(separator: ","))
            }
            fields.append(field)
        }
        return fields
    }

    /// The value of this field of `job`; `now` gives a running job its runtime so far.
    package func json(of job: Job, now: Double) -> JSON {
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
        // No message is null, like every other absent value.
        case .msg: return job.msg.isEmpty ? .null : .string(job.msg)
        case .submitted: return .string(Timestamp.iso8601(job.submitted))
        case .started: return JSON(job.started.map(Timestamp.iso8601))
        case .finished: return JSON(job.finished.map(Timestamp.iso8601))
        case .pid: return JSON(job.pid)
        case .priority: return .int(Int64(job.priority))
        case .after: return .array(job.after.map { .int($0) })
        case .afterany: return .array(job.afterAny.map { .int($0) })
        case .notbefore: return JSON(job.notBefore.map(Timestamp.iso8601))
        case .timeout: return JSON(seconds: job.timeout)
        case .retries: return .int(Int64(job.retries))
        case .retryDelay: return .seconds(job.retryDelay)
        case .attempts: return .int(Int64(job.attempts))
        case .cwd: return JSON(job.cwd)
        case .env: return .array(job.env.map(JSON.string))
        case .runtime:
            guard let started = job.started else { return .null }
            return .seconds((job.finished ?? now) - started)
        case .slurm: return job.slurm.isEmpty ? .null : .object(job.slurm.pairs.map { ($0.name, .string($0.value)) })
        case .slurmJobID: return JSON(job.slurmJobID)
        case .node: return JSON(job.node)
        case .slurmState: return JSON(job.slurmState)
        case .slurmReason: return JSON(job.slurmReason)
        case .cpuUser: return JSON(seconds: job.usage?.userSeconds)
        case .cpuSystem: return JSON(seconds: job.usage?.systemSeconds)
        case .maxRSS: return JSON(job.usage?.maxRSSKilobytes)
        case .cpus: return .int(Int64(job.resources.cpus))
        case .mem: return JSON(job.resources.mem?.bytes)
        case .gpus: return .int(Int64(job.resources.gpus))
        case .gpuIDs: return .array((job.allocation?.gpuIDs ?? []).map(JSON.string))
        case .cpuIDs: return .array((job.allocation?.cpuIDs ?? []).map { .int(Int64($0)) })
        case .owner: return JSON(job.owner)
        case .notify: return JSON(job.notify)
        case .notifyStatus: return job.delivery?.json ?? .null
        case .environment: return job.environment.map { .array($0.map(JSON.string)) } ?? .null
        }
    }

    /// The plain-text cell: empty and null values are `-`.
    package func text(of job: Job, now: Double) -> String {
        // A size as it was asked: 4G, not 4294967296.
        if self == .mem { return job.resources.mem?.text ?? "-" }
        if self == .notifyStatus { return job.delivery.map { TextTable.escape($0.text) } ?? "-" }
        switch json(of: job, now: now) {
        case .null: return "-"
        case .bool(let b): return b ? "1" : "0"
        case .int(let i): return String(i)
        case .seconds(let value): return Timestamp.seconds(value)
        case .string(let s): return s.isEmpty ? "-" : TextTable.escape(s)
        case .array(let items):
            let texts = items.map { item -> String in
                if case .int(let i) = item { return String(i) }
                if case .string(let s) = item { return s }
                return "-"
            }
            return texts.isEmpty ? "-" : TextTable.escape(texts.joined(separator: ","))
        case .object(let pairs):
            return pairs.isEmpty ? "-" : TextTable.escape(pairs.map { key, value -> String in
                if case .string(let s) = value { return "\(key)=\(s)" }
                return key
            }.joined(separator: ","))
        }
    }
}
