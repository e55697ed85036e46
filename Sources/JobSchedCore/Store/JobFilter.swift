/// Which jobs `/jobinfo` shows: each list narrows the result, an empty list
/// does not filter.
struct JobFilter: Equatable {
    var ids: [JobID] = []
    var names: [String] = []
    var groups: [String] = []
    var statuses: [JobStatus] = []
    /// Show every job; otherwise a filter with no list set shows only active ones.
    var all = false
    /// Order (by job id unless set) and most rows.
    var sort: JobField = .jobid
    var descending = false
    var limit: Int?

    /// The statuses actually queried: with nothing asked for, the active jobs.
    var effectiveStatuses: [JobStatus] {
        if statuses.isEmpty && ids.isEmpty && names.isEmpty && groups.isEmpty && !all {
            return [.queued, .running]
        }
        return statuses
    }

    /// A WHERE clause and its bound values. Each list is bound as one JSON array
    /// read by `json_each`, so the SQL text depends only on which lists are set
    /// and its prepared statement can be reused.
    /// The SELECT's tail: WHERE, ORDER BY and LIMIT, and the values to bind.
    func sqlClauses() -> (sql: String, values: [Statement.Value]) {
        var (sql, values) = whereClause()
        sql += " ORDER BY \(sort.sqlColumn) \(descending ? "DESC" : "ASC")"
        if sort != .jobid { sql += ", id" }
        if let limit {
            sql += " LIMIT ?"
            values.append(.integer(Int64(limit)))
        }
        return (sql, values)
    }

    func whereClause() -> (sql: String, values: [Statement.Value]) {
        var conditions: [String] = []
        var values: [Statement.Value] = []
        func add(_ column: String, _ items: [JSON]) {
            guard !items.isEmpty else { return }
            conditions.append("\(column) IN (SELECT value FROM json_each(?))")
            values.append(.text(JSON.array(items).serialized()))
        }
        add("id", ids.map { .int($0) })
        add("name", names.map(JSON.string))
        add("grp", groups.map(JSON.string))
        add("status", effectiveStatuses.map { .string($0.rawValue) })
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
    }
}
