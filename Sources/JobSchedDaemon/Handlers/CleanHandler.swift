import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// The most jobs one page of a `/clean` reads: a page holds the loop a millisecond or so.
    package static let cleanPageRows = 256

    /// Deletes finished jobs by status and age, a page at a time in the
    /// server's turns (`Turns`): a `/clean` of a million jobs held every
    /// client for 14 s in one DELETE. Pages commit as they go; once the last
    /// has, one `removed` event tells every id that went (as ranges), the
    /// reply says how many, and the spool files go, a part of the directory a turn.
    package func clean(_ r: CleanRequest, _ request: HTTPRequest) throws(RequestError) {
        var statuses = r.statuses[...]
        var after: JobID = 0
        var removed = IDRanges()
        turns.add { [unowned self] in
            guard let status = statuses.first else {
                finishClean(request, r, removed: { removed }, error: nil)
                return false
            }
            var readThrough: JobID?
            do throws(SQLiteError) {
                _ = try runner.deleteFinished({ () throws(SQLiteError) in
                    let page = try store.deleteFinished(status: status, after: after, finishedBefore: r.before,
                                                        limit: RequestHandlers.cleanPageRows)
                    readThrough = page.readThrough
                    return page.deleted
                }, removingFiles: false, committed: { removed.formUnion($0) })
            } catch {
                finishClean(request, r, removed: { removed }, error: RequestHandlers.databaseError(error))
                return false
            }
            if let readThrough {
                after = readThrough
            } else {
                statuses = statuses.dropFirst()
                after = 0
            }
            return true
        }
    }

    /// Once the last page is committed: the event, the reply, the spool files.
    private func finishClean(_ request: HTTPRequest, _ r: CleanRequest, removed: @escaping () -> IDRanges, error: RequestError?) {
        commits.whenCommitted { [unowned self] result in
            let removed = removed()
            runner.announceRemoval(removed)
            if !removed.isEmpty { turns.add(spool.removal(of: removed)) }
            if case .failure(let failure) = result {
                respond(request, error: error ?? RequestHandlers.databaseError(failure), format: r.format)
            } else if let error {
                respond(request, error: error, format: r.format)
            } else {
                respond(request, format: r.format, text: { "Removed \(removed.count) jobs\n" },
                        json: { .object([("removed", .int(Int64(removed.count)))]) })
            }
        }
    }
}
