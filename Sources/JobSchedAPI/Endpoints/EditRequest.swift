import JobSchedModel

/// /edit: one queued job and what to change in it, each value read and
/// checked by /submit's own declaration of that parameter.
package struct EditRequest: Equatable {
    package var id: JobID
    package var edit: JobEdit
    package var format: OutputFormat

    package enum Declared {
        static let id: Parameter<[JobID]> = .requiredJobIDs("jobid", "the queued job to change")
        static let format: Parameter<OutputFormat> = .format()
    }

    private typealias Submit = SubmitRequest.Declared

    /// What an edit may change, as /submit takes it.
    private static let changes = [
        Submit.command.spec, Submit.name.spec, Submit.group.spec, Submit.priority.spec, Submit.delay.spec,
        Submit.at.spec, Submit.timeout.spec, Submit.retries.spec, Submit.retryDelay.spec,
        Submit.cpus.spec, Submit.mem.spec, Submit.gpus.spec, Submit.notify.spec,
    ].map(\.asChange)

    package static let parameters = [Declared.id.spec] + changes + [Declared.format.spec]

    package init(_ p: Parameters) throws(RequestError) {
        let ids = try Declared.id.value(in: p)
        guard ids.count == 1 else { throw .badRequest("edit takes one job id") }
        id = ids[0]
        var edit = JobEdit()
        edit.command = try Submit.command.valueIfGiven(in: p)
        edit.name = try Submit.name.valueIfGiven(in: p)
        edit.group = try Submit.group.valueIfGiven(in: p)
        edit.priority = try Submit.priority.valueIfGiven(in: p)
        (edit.delay, edit.at) = try SubmitRequest.startTime(in: p)
        edit.timeout = try SubmitRequest.timeout(in: p)
        edit.retries = try Submit.retries.valueIfGiven(in: p)
        edit.retryDelay = try Submit.retryDelay.valueIfGiven(in: p)
        // Checked as a submit's; only those given change.
        let (cpus, mem, gpus) = (try Submit.cpus.value(in: p), try Submit.mem.value(in: p), try Submit.gpus.value(in: p))
        let resources = try ResourceRequest(cpus: cpus, mem: mem, gpus: gpus)
        (edit.cpus, edit.mem, edit.gpus) = (cpus.map { _ in resources.cpus }, resources.mem, gpus.map { _ in resources.gpus })
        // notify= (empty) takes it away.
        if p.isGiven(Submit.notify.spec.name) { edit.notify = .some(try Submit.notify.value(in: p)?.text) }
        guard !edit.isEmpty else {
            throw .badRequest("nothing to change: give at least one of " + EditRequest.changes.map(\.name).joined(separator: ", "))
        }
        self.edit = edit
        format = try Declared.format.value(in: p)
    }
}
