import JobSchedModel

extension JobFilter {
    /// The SELECT's tail: WHERE, ORDER BY and LIMIT, and the values to bind.
    package func sqlClauses() -> (sql: String, values: [Statement.Value]) {
        var (sql, values) = whereClause()
        sql += " ORDER BY \(sort.sqlColumn) \(descending ? "DESC" : "ASC")"
        if sort != .jobid { sql += ", id" }
        if let limit {
            sql += " LIMIT ?"
            values.append(.integer(Int64(limit)))
        }
        return (sql, values)
    }

    /// A page of a listing in id order (see `ListingPages`), as a SELECT of
    /// `columns` that SQLite answers from an index in id order, never sorting
    /// more than the page: several statuses are a merge of one range of the
    /// status index each (an IN list would be sorted whole, on every page).
    package func pageQuery(columns: String) -> (sql: String, values: [Statement.Value]) {
        var statuses: [JobStatus] = []
        for status in effectiveStatuses where !statuses.contains(status) { statuses.append(status) }
        var page = self
        page.statuses = []
        page.all = true
        // `+grp`, `+name`: no index on them, which would hand SQLite a group's
        // jobs out of id order to sort, whole, on every page.
        let (conditions, values) = page.conditions(unindexedLists: true)
        let order = " ORDER BY id \(descending ? "DESC" : "ASC") LIMIT ?"
        let limitValue = Statement.Value.integer(Int64(limit ?? Int.max))
        guard !statuses.isEmpty else {
            let clause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return ("SELECT \(columns) FROM jobs\(clause)\(order)", values + [limitValue])
        }
        let branch = "SELECT \(columns) FROM jobs WHERE " + (["status = ?"] + conditions).joined(separator: " AND ")
        return (statuses.map { _ in branch }.joined(separator: " UNION ALL ") + order,
                statuses.flatMap { [.text($0.rawValue)] + values } + [limitValue])
    }

    /// A WHERE clause and its bound values. Each list is bound as one JSON array
    /// read by `json_each`, so the SQL text depends only on which lists are set
    /// and its prepared statement can be reused.
    package func whereClause() -> (sql: String, values: [Statement.Value]) {
        let (conditions, values) = conditions()
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
    }

    private func conditions(unindexedLists: Bool = false) -> (sql: [String], values: [Statement.Value]) {
        var conditions: [String] = []
        var values: [Statement.Value] = []
        func add(_ column: String, _ items: [JSON]) {
            guard !items.isEmpty else { return }
            conditions.append("\(column) IN (SELECT value FROM json_each(?))")
            values.append(.text(JSON.array(items).serialized()))
        }
        add("id", ids.map { .int($0) })
        add(unindexedLists ? "+name" : "name", names.map(JSON.string))
        add(unindexedLists ? "+grp" : "grp", groups.map(JSON.string))
        add(unindexedLists ? "+owner" : "owner", owners.map(JSON.string))
        add("status", effectiveStatuses.map { .string($0.rawValue) })
        // The text of the partial index `jobs_nonzero`, which SQLite needs to match to use it.
        if nonzeroReturncode { conditions.append("returncode != 0") }
        if let belowID {
            conditions.append("id < ?")
            values.append(.integer(belowID))
        }
        if let after {
            conditions.append(descending ? "id < ?" : "id > ?")
            values.append(.integer(after))
        }
        return (conditions, values)
    }
}

extension JobField {
    /// The column of the jobs table that holds this field.
    package var sqlColumn: String {
        switch self {
        case .jobid: return "id"
        case .group: return "grp"
        default: return rawValue
        }
    }
}
