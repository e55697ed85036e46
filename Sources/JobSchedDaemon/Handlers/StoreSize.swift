import JobSchedModel
import JobSchedSystem

extension RequestHandlers {
    /// What the store takes on disk now: the database's files, and the spool
    /// as last counted (a count starts when the last is old: `SpoolCensus`).
    package func storeSize() -> StoreSize {
        spoolCensus.refresh()
        return StoreSize(databaseBytes: store.diskBytes(), spool: spoolCensus.last)
    }
}

/// The store's size on disk, as /overview and /metrics tell it.
package struct StoreSize {
    package let databaseBytes: Int
    /// Nil until the spool's first count is done.
    package let spool: SpoolCensus.Count?

    var text: String {
        let size = JobTable.memory(bytes:)
        let spoolText = spool.map { "spool \($0.files) file\($0.files == 1 ? "" : "s"), \(size($0.bytes))" } ?? "spool being counted"
        return "database \(size(databaseBytes)), \(spoolText)"
    }

    var json: JSON {
        .object([
            ("database_bytes", .int(Int64(databaseBytes))),
            ("spool_files", spool.map { .int(Int64($0.files)) } ?? .null),
            ("spool_bytes", spool.map { .int(Int64($0.bytes)) } ?? .null),
        ])
    }
}
