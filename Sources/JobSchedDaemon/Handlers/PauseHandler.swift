import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

/// /pause and /resume: holding back a group (or all of them) from starting jobs.
extension RequestHandlers {
    package func setPaused(_ paused: Bool, _ r: PauseRequest, _ request: HTTPRequest) throws(RequestError) {
        let format = r.format
        let names: [String]
        let groupIsUnused = r.group.map { name in (groupRows().first { $0.name == name }?.total ?? 0) == 0 } ?? false
        if let name = r.group {
            names = [name]
        } else {
            // Every group: the ones with settings, the ones with jobs, and the
            // all-groups switch that also covers groups created later.
            names = groupRows().map(\.name) + [Scheduler.allGroups]
        }
        try save(groups: names.map { name in
            var settings = runner.scheduler.settings(of: name)
            settings.paused = paused
            return (name, settings)
        })
        for name in names { runner.setPaused(paused, group: name) }
        let target = r.group.map { "group \(Excerpt.plain($0, limit: 80))" } ?? "all groups"
        let message = PauseReply.message(paused: paused, target: target, groupIsUnused: groupIsUnused)
        logger.notice("\(message)")
        replyWhenCommitted(request, format: format, undo: restoreGroupSettings) { [unowned self] in
            self.respond(request, format: format, text: { message + "\n" }, json: { .object([("message", .string(message))]) })
        }
    }
}
