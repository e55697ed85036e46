/// Plain-text replies: one item per line, tab-separated columns.
enum TextTable {
    /// A header line, then one line per job.
    static func jobs(_ jobs: [Job], fields: [JobField]) -> String {
        var out = fields.map(\.rawValue).joined(separator: "\t") + "\n"
        for job in jobs {
            out += fields.map { $0.text(of: job) }.joined(separator: "\t") + "\n"
        }
        return out
    }

    /// Keeps one value on one cell: tab, newline, carriage return and backslash are escaped.
    static func escape(_ value: String) -> String {
        value.escaping { String($0) }
    }

    /// The line that reports a job's end, as in `/wait` and a sync reply's trailer.
    static func statusLine(_ job: Job) -> String {
        "job \(job.id) \(job.status.rawValue) returncode=\(job.returncode.map(String.init) ?? "-")"
    }
}

enum JobJSON {
    static func object(_ job: Job, fields: [JobField] = JobField.allCases) -> JSON {
        .object(fields.map { ($0.rawValue, $0.json(of: job)) })
    }
}

extension String {
    /// Backslash-escapes backslash, tab, newline and carriage return, the
    /// escapes text cells and JSON share; `other` maps every other scalar.
    func escaping(_ other: (Unicode.Scalar) -> String) -> String {
        guard unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0 == "\"" }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out += other(scalar)
            }
        }
        return out
    }
}
