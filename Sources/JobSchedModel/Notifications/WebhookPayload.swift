/// What a delivery POSTs: `{"event": "job", "job": {…}}` with the job as
/// `/jobinfo?format=json` shows it, or `{"event": "group", "group": {…}}`
/// with the group's name and its finished jobs counted as `/group` counts them
/// (by outcome) and by status.
package enum WebhookPayload {
    package enum Event: String, Sendable { case job, group }

    package static func job(_ job: Job) -> [UInt8] {
        // Where its own notification stands is no news to its receiver.
        let fields = JobField.everyListedField.filter { $0 != .notifyStatus }
        let object = JobJSON.object(job, fields: fields, now: job.finished ?? job.submitted)
        return Array(JSON.object([("event", .string(Event.job.rawValue)), ("job", object)]).serialized().utf8)
    }

    package static func group(_ name: String, finished: [JobOutcome: Int]) -> [UInt8] {
        let counts = JobOutcome.allCases.map { ($0.rawValue, JSON.int(Int64(finished[$0] ?? 0))) }
        let statuses = JobStatus.allCases.filter(\.isFinished).map { status in
            (status.rawValue, JSON.int(Int64(finished.filter { $0.key.status == status }.values.reduce(0, +))))
        }
        let group = JSON.object([("name", .string(name)), ("finished", .object(counts)), ("statuses", .object(statuses)),
                                 ("done", .int(Int64(finished.values.reduce(0, +))))])
        return Array(JSON.object([("event", .string(Event.group.rawValue)), ("group", group)]).serialized().utf8)
    }
}
