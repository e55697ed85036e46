/// The text of a job listing made a page at a time (`/jobinfo` of any size):
/// what comes before the first job, each page's jobs, and what comes after
/// the last, so that the pieces put together are the text the whole listing
/// would have had at once. The aligned table is aligned within each page.
package struct ListingText {
    package enum Layout {
        /// Tab-separated columns under a header line, for scripts.
        case columns
        /// `view=table`: aligned columns under a title line, fitted in `width` columns if given.
        case table(colored: Bool, width: Int?)
        /// `view=record`: one field a line, a blank line between jobs.
        case records(colored: Bool)
        /// `{"jobs": [...]}`; `isUnsaved` marks a job whose state is not yet stored.
        case json(isUnsaved: (JobID) -> Bool)
    }

    private let layout: Layout
    private let fields: [JobField]
    private var jobsWritten = 0
    /// Said after the jobs, in the listing's format: the ids named that are no job's.
    package var error: String?

    package init(_ layout: Layout, fields: [JobField]) {
        (self.layout, self.fields) = (layout, fields)
    }

    package var start: String {
        switch layout {
        case .columns: TextTable.jobs([], fields: fields, now: 0)
        case .table, .records: ""
        case .json: #"{"jobs": ["#
        }
    }

    package mutating func page(_ jobs: [Job], now: Double) -> String {
        guard !jobs.isEmpty else { return "" }
        defer { jobsWritten += jobs.count }
        let first = jobsWritten == 0
        switch layout {
        case .columns:
            return TextTable.rows(jobs, fields: fields, now: now)
        case .table(let colored, let width):
            return JobTable.render(jobs, fields: fields, now: now, colored: colored, titles: first, width: width)
        case .records(let colored):
            return (first ? "" : "\n") + JobTable.records(jobs, fields: fields, now: now, colored: colored)
        case .json(let isUnsaved):
            return (first ? "" : ", ") + jobs.map {
                JobJSON.object($0, fields: fields, now: now, unsaved: isUnsaved($0.id)).serialized()
            }.joined(separator: ", ")
        }
    }

    package var end: String {
        if let error {
            switch layout {
            case .columns, .records, .table: return "Error: \(error)\n"
            case .json: return "], " + JSON.string("error").serialized() + ": " + JSON.string(error).serialized() + "}\n"
            }
        }
        switch layout {
        case .columns, .records: return ""
        // An empty table still has its title line.
        case .table: return jobsWritten == 0 ? JobTable.render([], fields: fields, now: 0) : ""
        case .json: return "]}\n"
        }
    }
}

extension Job {
    /// About how many bytes the job takes in a listing, at most: to size a
    /// listing's slices before they are written.
    package var estimatedTextBytes: Int {
        512 + name.utf8.count + group.utf8.count + command.utf8.count + msg.utf8.count
            + (cwd?.utf8.count ?? 0) + env.reduce(0) { $0 + $1.utf8.count + 4 }
            + (outlog?.utf8.count ?? 0) + (errlog?.utf8.count ?? 0)
    }
}
