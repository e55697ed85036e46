@testable import JobSchedModel
@testable import JobSchedSystem

/// Opens the store on `path`. Reopened after a close, the file may still be
/// locked a moment: another test's process spawn, between its fork and its
/// exec, holds a copy of every descriptor (close-on-exec ones too), the lock's among them.
func openJobStore(_ path: String, clear: Bool = false) throws -> JobStore {
    var store: Result<JobStore, ServerError>!
    _ = eventually(timeout: 10) {
        store = Result { () throws(ServerError) in try JobStore(path: path, clear: clear) }
        if case .failure(let error) = store { return !error.description.hasSuffix("is in use by another jobsched server") }
        return true
    }
    return try store.get()
}
