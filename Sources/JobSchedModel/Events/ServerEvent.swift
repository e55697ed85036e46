/// A change in the server's state, as `/events` streams it: what happened and
/// the job (or group) as it is afterwards.
package enum ServerEvent: Equatable {
    case submitted(Job)
    case started(Job)
    /// A cluster said where a job handed to it is: its id there, its node, its
    /// state; `started` is set once its run has begun there.
    case placed(Job)
    /// A run failed and the job is queued again for another attempt.
    case retried(Job)
    /// `/edit` changed a queued job.
    case edited(Job)
    /// The job ended: success, failed or killed.
    case finished(Job)
    /// Finished jobs deleted (`/remove`, `/clean`, `--keep-finished`): one
    /// event for a request's removals, the ids as ranges.
    case removed(IDRanges)
    /// A group's limit or pause switch changed; the name `Scheduler.allGroups` is the switch for every group.
    case groupChanged(name: String, settings: Scheduler.Group)
    /// The server began to shut down; the streams end once its jobs have.
    case shutdown

    /// The SSE `event:` name. An ended job is `killed` when jobsched ended it, else `finished`.
    package var name: String {
        switch self {
        case .submitted: return "submitted"
        case .started: return "started"
        case .placed: return "placed"
        case .retried: return "retried"
        case .edited: return "edited"
        case .finished(let job): return job.status == .killed ? "killed" : "finished"
        case .removed: return "removed"
        case .groupChanged: return "group"
        case .shutdown: return "shutdown"
        }
    }

    /// The job the event is about, if it is about one job's record.
    package var job: Job? {
        switch self {
        case .submitted(let job), .started(let job), .placed(let job), .retried(let job), .edited(let job), .finished(let job):
            return job
        case .removed, .groupChanged, .shutdown: return nil
        }
    }

    /// About what the event holds in memory: its job's strings (a command may
    /// be 100 KB) and a fixed part; what bounds the event history in bytes.
    package var approximateBytes: Int {
        switch self {
        case .submitted(let job), .started(let job), .placed(let job), .retried(let job), .edited(let job), .finished(let job):
            return 512 + job.command.utf8.count + job.name.utf8.count + job.group.utf8.count + job.msg.utf8.count
                + (job.cwd?.utf8.count ?? 0) + (job.notify?.utf8.count ?? 0) + job.env.reduce(0) { $0 + $1.utf8.count + 16 }
        case .removed(let ids):
            return 64 + 16 * ids.ranges.count
        case .groupChanged(let name, let settings):
            return 64 + name.utf8.count + (settings.notify?.utf8.count ?? 0)
        case .shutdown:
            return 16
        }
    }

    /// The `data:` object: every field of the job, as `/jobinfo?format=json` has it.
    package func data(now: Double) -> JSON {
        switch self {
        case .submitted(let job), .started(let job), .placed(let job), .retried(let job), .edited(let job), .finished(let job):
            return JobJSON.object(job, now: now)
        case .removed(let ids):
            return .object([("ranges", ids.json), ("count", .int(Int64(ids.count)))])
        case .groupChanged(let name, let settings):
            return .object([("name", .string(name)), ("limit", JSON(settings.limit)), ("paused", .bool(settings.paused)),
                             ("notify", JSON(settings.notify))])
        case .shutdown:
            return .object([])
        }
    }
}
