import JobSchedModel

/// Listings read a page at a time (`ListingPages`), so that one of any size
/// holds the loop for one page at a time.
extension JobStore {
    /// Hands the jobs of one page to `body`, in id order, until it returns
    /// false; how many it was given, and whether the page had no more.
    package func forEachJob(onPage page: JobFilter, _ body: (Job) -> Bool) throws(SQLiteError) -> (count: Int, exhausted: Bool) {
        try writePendingStates()
        let (sql, values) = page.pageQuery(columns: JobStore.columns)
        let statement = try cachedStatement(sql)
        try statement.reset(binding: values)
        defer { try? statement.reset() }
        var count = 0
        while try statement.step() {
            count += 1
            guard body(JobStore.decode(statement)) else { return (count, false) }
        }
        return (count, count < page.limit ?? Int.max)
    }
}
