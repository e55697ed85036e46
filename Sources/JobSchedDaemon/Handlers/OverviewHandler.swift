import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// /overview: what the dashboard shows at the top, all from memory: the
    /// counts by status, the groups, and the last hour minute by minute.
    /// `caller`: the token asking, which the JSON names with its role (the dashboard shows only what it may do).
    package func overview(format: OutputFormat, _ request: HTTPRequest, by caller: NamedToken?) {
        let now = Clock.now()
        activity.advance(to: now)
        var counts = runner.finished.byStatus
        counts[.running] = runner.scheduler.running.count
        counts[.queued] = runner.queuedCount
        let groups = groupRows()
        let pausedAll = runner.scheduler.settings(of: Scheduler.allGroups).paused
        let maxRunning = configuration.maxRunning
        let size = storeSize()
        let resources = runner.scheduler.pool?.usage ?? []
        respond(request, format: format, text: {
            "running \(counts[.running]!) of \(maxRunning)\(pausedAll ? ", all groups paused" : "")\n"
                + JobStatus.allCases.map { "\($0.rawValue)\t\(counts[$0] ?? 0)\n" }.joined()
                + (resources.isEmpty ? "" : "resources\t" + resources.map(Self.usageText).joined(separator: ", ") + "\n")
                + "store\t\(size.text)\n"
        }, json: {
            .object([
                ("now", .string(Timestamp.iso8601(now))),
                ("last_event_id", .int(Int64(events.lastID))),
                ("max_running", .int(Int64(maxRunning))),
                ("paused_all", .bool(pausedAll)),
                ("you", caller.map { .object([("name", .string($0.name)), ("role", .string($0.role.rawValue))]) } ?? .null),
                ("counts", .object(JobStatus.allCases.map { ($0.rawValue, .int(Int64(counts[$0] ?? 0))) })),
                ("groups", .array(groups.map(\.json))),
                // What is not counted is left out.
                ("resources", .object(resources.map { ($0.name, .object([("used", .int(Int64($0.used))), ("total", .int(Int64($0.total)))])) })),
                ("store", size.json),
                ("activity", .object([
                    ("minute", .int(activity.minute)),
                    ("finished", .array(activity.finished.map { .int(Int64($0)) })),
                    ("queued", .array(activity.queued.map { .int(Int64($0)) })),
                ])),
            ])
        })
    }

    /// `cpus 3/16`, `mem 4G/64G`.
    private static func usageText(_ usage: (name: String, used: Int, total: Int)) -> String {
        guard usage.name == "mem" else { return "\(usage.name) \(usage.used)/\(usage.total)" }
        return "mem \(MemorySize(bytes: usage.used).text)/\(MemorySize(bytes: usage.total).text)"
    }
}
