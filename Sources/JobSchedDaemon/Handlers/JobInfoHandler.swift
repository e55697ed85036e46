import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    package func jobInfo(_ r: JobInfoRequest, _ request: HTTPRequest) throws(RequestError) {
        let jobs: [Job]
        do {
            jobs = try store.jobs(matching: r.filter)
        } catch {
            throw RequestHandlers.databaseError(error)
        }
        let now = Clock.now()
        respond(request, format: r.format,
                text: {
                    switch r.view {
                    case .table?: JobTable.render(jobs, fields: r.fields ?? JobTable.defaultFields, now: now, colored: r.isColored)
                    case .record?: JobTable.records(jobs, fields: r.fields ?? JobField.allCases, now: now, colored: r.isColored)
                    case nil: TextTable.jobs(jobs, fields: r.fields ?? JobField.defaultFields, now: now)
                    }
                },
                json: { .object([("jobs", .array(jobs.map { JobJSON.object($0, fields: r.fields ?? JobField.allCases, now: now, unsaved: store.isUnsaved($0.id)) }))]) })
    }
}
