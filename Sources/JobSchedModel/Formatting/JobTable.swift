/// `/jobinfo?view=table`: jobs for people to read in a terminal. Aligned
/// columns, times as how long ago, durations and memory in units, long
/// commands cut; every cell escaped as in the plain text reply.
package enum JobTable {
    /// The columns when `fields=` names none.
    package static let defaultFields: [JobField] = [.jobid, .name, .group, .status, .returncode, .started, .runtime, .command]
    /// A command or message longer than this many characters is cut with `…`.
    package static let maxCellCharacters = 60

    package static func render(_ jobs: [Job], fields: [JobField], now: Double) -> String {
        let header = fields.map(title)
        let rows = jobs.map { job in fields.map { cell($0, of: job, now: now) } }
        var widths = header.map(\.count)
        for row in rows {
            for (column, text) in row.enumerated() { widths[column] = max(widths[column], text.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (column, text) in cells.enumerated() {
                // No padding after the last column: no trailing spaces.
                let isLast = column == cells.count - 1
                out += isLast ? text : text + String(repeating: " ", count: widths[column] - text.count + 2)
            }
            return out + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    private static func title(_ field: JobField) -> String {
        switch field {
        case .jobid: return "ID"
        case .returncode: return "RC"
        case .maxRSS: return "MAX RSS"
        default: return field.rawValue.replacing("_", with: " ").uppercased()
        }
    }

    private static func cell(_ field: JobField, of job: Job, now: Double) -> String {
        switch field {
        case .submitted: return ago(job.submitted, now: now)
        case .started: return job.started.map { ago($0, now: now) } ?? "-"
        case .finished: return job.finished.map { ago($0, now: now) } ?? "-"
        case .notbefore: return job.notBefore.map { ago($0, now: now) } ?? "-"
        case .runtime: return job.started.map { duration((job.finished ?? now) - $0) } ?? "-"
        case .timeout: return job.timeout.map(duration) ?? "-"
        case .retryDelay: return duration(job.retryDelay)
        case .cpuUser: return job.usage.map { duration($0.userSeconds) } ?? "-"
        case .cpuSystem: return job.usage.map { duration($0.systemSeconds) } ?? "-"
        case .maxRSS: return job.usage.map { memory(kilobytes: $0.maxRSSKilobytes) } ?? "-"
        case .command, .msg: return cut(field.text(of: job, now: now))
        default: return field.text(of: job, now: now)
        }
    }

    /// `12s ago`, `5m ago`, `3h ago`, `2d ago`; `in 10m` for a time to come.
    package static func ago(_ time: Double, now: Double) -> String {
        let seconds = now - time
        return seconds >= 0 ? "\(roughly(seconds)) ago" : "in \(roughly(-seconds))"
    }

    private static func roughly(_ seconds: Double) -> String {
        switch seconds {
        case ..<60: return "\(Int(seconds))s"
        case ..<3_600: return "\(Int(seconds / 60))m"
        case ..<86_400: return "\(Int(seconds / 3_600))h"
        default: return "\(Int(seconds / 86_400))d"
        }
    }

    /// `0.25s`, `42s`, `3m05s`, `2h07m`, `3d04h`.
    package static func duration(_ seconds: Double) -> String {
        guard seconds >= 0 else { return "-" + duration(-seconds) }
        if seconds < 10 { return Timestamp.seconds((seconds * 100).rounded() / 100) + "s" }
        let whole = Int(seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        switch whole {
        case ..<60: return "\(whole)s"
        case ..<3_600: return "\(whole / 60)m\(two(whole % 60))s"
        case ..<86_400: return "\(whole / 3_600)h\(two(whole % 3_600 / 60))m"
        default: return "\(whole / 86_400)d\(two(whole % 86_400 / 3_600))h"
        }
    }

    /// `812K`, `41.2M`, `3.5G`.
    package static func memory(kilobytes: Int64) -> String {
        let value = Double(kilobytes)
        switch value {
        case ..<1024: return "\(kilobytes)K"
        case ..<(1024 * 1024): return oneDecimal(value / 1024) + "M"
        default: return oneDecimal(value / (1024 * 1024)) + "G"
        }
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func cut(_ text: String) -> String {
        text.count <= maxCellCharacters ? text : String(text.prefix(maxCellCharacters - 1)) + "…"
    }
}
