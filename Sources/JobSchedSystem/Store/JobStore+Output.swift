import JobSchedModel

/// The output of finished jobs that printed little, kept in the database
/// (`CompactOutput`) instead of the spool's files. A job's row goes when the
/// job does (a trigger), so every way of deleting jobs takes it along.
extension JobStore {
    /// Writes a finished job's output (given with its last state to `update`).
    func writeOutput(_ id: JobID, _ output: CompactOutput) throws(SQLiteError) {
        func blob(_ bytes: [UInt8]?) -> Statement.Value { bytes.map(Statement.Value.blob) ?? .null }
        try cachedStatement("INSERT OR REPLACE INTO outputs (id, output, stdout, stderr) VALUES (?, ?, ?, ?)")
            .run([.integer(id), blob(output.both), blob(output.stdout), blob(output.stderr)])
    }

    /// A finished job's output kept in the database; nil when it is kept in
    /// the spool (or the job printed nothing).
    package func output(_ id: JobID) throws(SQLiteError) -> CompactOutput? {
        if let pending = pendingOutput(id) { return pending }
        let select = try cachedStatement("SELECT output, stdout, stderr FROM outputs WHERE id = ?")
        try select.reset(binding: [.integer(id)])
        defer { try? select.reset() }
        guard try select.step() else { return nil }
        return CompactOutput(both: select.bytes(at: 0), stdout: select.bytes(at: 1), stderr: select.bytes(at: 2))
    }

    /// The bytes the database's files take on disk (the database and its WAL).
    package func diskBytes() -> Int {
        diskUsage(path) + diskUsage(path + "-wal")
    }
}
