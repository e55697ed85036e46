import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Deletes finished jobs by id, a step of ids at a time (`ManyIDs`); an
    /// active one must be killed first. Once every step is committed, one
    /// `removed` event tells the ids that went, the reply says what became of
    /// each, and the spool files go, a part at a time.
    package func remove(_ r: JobListRequest, _ request: HTTPRequest) throws(RequestError) {
        checkExisting(r.ids) { [unowned self] error in
            if let error { return respond(request, error: error, format: r.format) }
            var removed = IDRanges()
            inSteps(r.ids, { [unowned self] (chunk) throws(RequestError) in
                do throws(SQLiteError) {
                    _ = try runner.deleteFinished({ () throws(SQLiteError) in try store.deleteFinished(ids: Array(chunk)) },
                                                  removingFiles: false, committed: { removed.formUnion($0) })
                } catch {
                    throw RequestHandlers.databaseError(error)
                }
            }, then: { [unowned self] error in
                commits.whenCommitted { [unowned self] result in
                    runner.announceRemoval(removed)
                    if !removed.isEmpty { turns.add(spool.removal(of: removed)) }
                    if case .failure(let failure) = result {
                        return respond(request, error: error ?? RequestHandlers.databaseError(failure), format: r.format)
                    }
                    if let error { return respond(request, error: error, format: r.format) }
                    respondInSlices(request, format: r.format, key: "results", items: r.ids, entries: { [unowned self] in
                        $0.map { removalResult($0, removed: removed) }
                    }, text: { $0.message + "\n" }, json: {
                        .object([("jobid", .int($0.id)), ("removed", .bool($0.removed)), ("message", .string($0.message))])
                    })
                }
            })
        }
    }

    private func removalResult(_ id: JobID, removed: IDRanges) -> (id: JobID, removed: Bool, message: String) {
        if removed.contains(id) { return (id, true, "Job \(id) has been removed") }
        if let active = runner.activeJobs[id] { return (id, false, "Error: job \(id) is \(active.job.status.rawValue); kill it first") }
        // Its final state is not yet in the database (a failing disk).
        return (id, false, "Error: job \(id) could not be removed yet")
    }
}
