import JobSchedModel

/// Listings read a page at a time (`ListingPages`), so that one of any size
/// holds the loop for one page at a time.
extension JobStore {
    /// Hands the jobs of one page to `body`, in id order, until it returns
    /// false; how many it was given, and whether the page had no more.
    /// `withEnvironment`: each job's environment entries too (`fields=environment`).
    package func forEachJob(onPage page: JobFilter, withEnvironment: Bool = false,
                            _ body: (Job) -> Bool) throws(SQLiteError) -> (count: Int, exhausted: Bool) {
        try writePendingStates()
        let (sql, values) = page.pageQuery(columns: withEnvironment ? JobStore.selectedWithEnvironment : JobStore.selected)
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

extension JobStore {
    /// The ids and sort keys (`field`'s column) of one page of a sorted
    /// listing's pass (`SortedListing`), in id order; `exhausted` when the page had no more.
    package func sortKeys(onPage page: JobFilter, field: JobField) throws(SQLiteError)
        -> (keys: [(id: JobID, key: SortKey)], exhausted: Bool) {
        try writePendingStates()
        let (sql, values) = page.pageQuery(columns: "id, \(field.sqlColumn)")
        let statement = try cachedStatement(sql)
        try statement.reset(binding: values)
        defer { try? statement.reset() }
        var keys: [(id: JobID, key: SortKey)] = []
        while try statement.step() {
            let key: SortKey = switch statement.value(at: 1) {
            case .null: .null
            case .integer(let value): .integer(value)
            case .real(let value): .real(value)
            case .text(let value): .text(value)
            case .blob: .null  // no listed field is a blob
            }
            keys.append((statement.int(at: 0) ?? 0, key))
        }
        return (keys, keys.count < page.limit ?? Int.max)
    }

    /// The jobs of `ids` that exist, in the order of `ids` (with their environment entries if asked).
    package func jobs(_ ids: [JobID], withEnvironment: Bool = false) throws(SQLiteError) -> [Job] {
        try writePendingStates()
        let select = try cachedStatement("SELECT \(withEnvironment ? JobStore.selectedWithEnvironment : JobStore.selected) FROM jobs WHERE id = ?")
        var jobs: [Job] = []
        try readingTogether { () throws(SQLiteError) in
            for id in ids {
                try select.reset(binding: [.integer(id)])
                if try select.step() { jobs.append(JobStore.decode(select)) }
            }
            try select.reset()
        }
        return jobs
    }
}
