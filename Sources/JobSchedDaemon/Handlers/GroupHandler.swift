import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// /group: per-group limits, kept in the database, and the groups shown; also the
/// group helpers /pause and /resume share.
extension RequestHandlers {
    package func group(_ r: GroupRequest, _ request: HTTPRequest) throws(RequestError) {
        let format = r.format
        if let setting = r.setting {
            if let notify = setting.notify { try checkNotify(notify) }
            var settings = runner.scheduler.settings(of: setting.name)
            if let limit = setting.limit { settings.limit = limit }
            if let notify = setting.notify { settings.notify = notify?.text }
            try save(groups: [(setting.name, settings)])
            if let limit = setting.limit { runner.setLimit(limit, for: setting.name) }
            if let notify = setting.notify { runner.setNotify(notify?.text, for: setting.name) }
        }
        let rows = groupRows()
        // Only a change of the limit needs an undo; a listing changes nothing.
        replyWhenCommitted(request, format: format, undo: r.setting == nil ? nil : restoreGroupSettings) { [unowned self] in
            self.respond(request, format: format, text: {
                let cells = [["group", "limit", "paused", "queued", "running", "zero", "nonzero", "killed", "failed", "done"]] + rows.map { row in
                    [TextTable.escape(row.name), row.limit.map(String.init) ?? "-", row.paused ? "1" : "0", String(row.queued), String(row.running)]
                        + JobOutcome.allCases.map { String(row.finished[$0] ?? 0) } + ["\(row.done)/\(row.total)"]
                }
                return r.isTable ? TextTable.aligned(cells) : cells.map { $0.joined(separator: "\t") + "\n" }.joined()
            }, json: {
                .object([("groups", .array(rows.map(\.json)))])
            })
        }
    }

    /// After a failed commit: the settings in force go back to the stored
    /// ones, so that a 503 means the change was not made.
    package func restoreGroupSettings() {
        do {
            runner.replaceGroupSettings(with: try store.groupSettings())
        } catch {
            logger.error("reading group settings back: \(error)")
        }
    }

    /// Writes groups' new settings before they are put in force: a write
    /// that fails leaves both the store and the settings in force as they were.
    package func save(groups: [(name: String, settings: Scheduler.Group)]) throws(RequestError) {
        do {
            try store.save(groups: groups)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
    }

    package struct GroupRow {
        package var name: String
        package var limit: Int?
        package var paused: Bool
        package var notify: String?
        package var queued = 0
        package var running = 0
        /// Its finished jobs that the database holds, by outcome.
        package var finished: [JobOutcome: Int] = [:]

        package var done: Int { finished.values.reduce(0, +) }
        package var total: Int { done + queued + running }

        package var json: JSON {
            .object([("name", .string(name)), ("limit", JSON(limit)), ("paused", .bool(paused)), ("notify", JSON(notify)),
                     ("queued", .int(Int64(queued))), ("running", .int(Int64(running))),
                     ("finished", .object(JobOutcome.allCases.map { ($0.rawValue, .int(Int64(finished[$0] ?? 0))) })),
                     ("done", .int(Int64(done))), ("total", .int(Int64(total)))])
        }
    }

    /// Every group that has jobs (active or finished) or settings of its own (paused, a limit), by name.
    package func groupRows() -> [GroupRow] {
        var rows: [String: GroupRow] = [:]
        func row(_ name: String) -> GroupRow {
            let settings = runner.scheduler.settings(of: name)
            return GroupRow(name: name, limit: settings.limit, paused: settings.paused, notify: settings.notify)
        }
        for name in runner.scheduler.groupSettings.keys where name != Scheduler.allGroups { rows[name] = row(name) }
        for (name, count) in activeCountsByGroup() {
            if rows[name] == nil { rows[name] = row(name) }
            rows[name]!.queued = count.queued
            rows[name]!.running = count.running
        }
        for (name, outcomes) in runner.finished.byGroup {
            if rows[name] == nil { rows[name] = row(name) }
            rows[name]!.finished = outcomes
        }
        // A group named once (a resume of a typo) and holding nothing is not one to show.
        return rows.values.filter { $0.total > 0 || $0.paused || $0.limit != nil || $0.notify != nil }.sorted { $0.name < $1.name }
    }

    /// Queued and running jobs in each group that has any, from the index and the scheduler.
    package func activeCountsByGroup() -> [String: (queued: Int, running: Int)] {
        runner.activeIndex.byGroup.reduce(into: [:]) { counts, group in
            let running = runner.scheduler.runningPerGroup[group.key] ?? 0
            counts[group.key] = (group.value.count - running, running)
        }
    }
}
