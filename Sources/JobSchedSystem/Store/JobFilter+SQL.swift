import JobSchedModel

extension JobFilter {
    /// A WHERE clause and its bound values. Each list is bound as one JSON array
    /// read by `json_each`, so the SQL text depends only on which lists are set
    /// and its prepared statement can be reused.
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

    package func whereClause() -> (sql: String, values: [Statement.Value]) {
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
        // The text of the partial index `jobs_nonzero`, which SQLite needs to match to use it.
        if nonzeroReturncode { conditions.append("returncode != 0") }
        if let belowID {
            conditions.append("id < ?")
            values.append(.integer(belowID))
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), values)
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
