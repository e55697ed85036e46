/// `/jobinfo?view=table` and `view=record`: jobs for people to read in a
/// terminal. Aligned columns, times as how long ago, durations and memory in
/// units, long commands cut in the table; every cell escaped as in the plain
/// text reply. With `colored`, the status is in colour (ANSI SGR codes).
package enum JobTable {
    /// The columns when `fields=` names none.
    package static let defaultFields: [JobField] = [.jobid, .name, .group, .status, .returncode, .started, .runtime, .command]

    /// Those, and before the command what each job asks of the resources the
    /// server counts (`cpus`, `mem`, `gpus`: `ResourcePool.usage`'s names).
    package static func defaultFields(counting resources: [String]) -> [JobField] {
        Array(defaultFields.dropLast()) + [JobField.cpus, .mem, .gpus].filter { resources.contains($0.rawValue) } + [.command]
    }

    /// A command or message longer than this many characters is cut with `…`.
    package static let maxCellCharacters = 60

    /// Without `titles`, the rows alone, as wide as the titles would be (a
    /// listing's later pages).
    /// With `width`, each line fits in that many columns (a terminal's; a
    /// huge one for a pipe: lines whole): the command is cut first, then the
    /// name, the message and the group (see `fitted`), never the id or the status.
    package static func render(_ jobs: [Job], fields: [JobField], now: Double, colored: Bool = false,
                               titles: Bool = true, width: Int? = nil) -> String {
        let header = fields.map(title)
        // Fitted in a width, a cell is cut only as much as the width needs; else at `maxCellCharacters`.
        var rows = jobs.map { job in fields.map { cell($0, of: job, now: now, cut: width == nil) } }
        var widths = header.map(\.count)
        for row in rows {
            for (column, text) in row.enumerated() { widths[column] = max(widths[column], text.count) }
        }
        if let width {
            widths = fitted(widths, fields: fields, in: width)
            rows = rows.map { row in zip(row, widths).map { text, room in text.count <= room ? text : String(text.prefix(room - 1)) + "…" } }
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
        let top = titles ? line(header) : ""
        guard colored, let statusColumn = fields.firstIndex(of: .status) else {
            return top + rows.map(line).joined()
        }
        // Padding is worked out on the plain text; the codes take no columns.
        return top + zip(jobs, rows).map { job, row in
            let plain = line(row)
            let before = widths[..<statusColumn].reduce(0, +) + 2 * statusColumn
            let start = plain.index(plain.startIndex, offsetBy: before)
            let end = plain.index(start, offsetBy: row[statusColumn].count)
            return String(plain[..<start]) + paint(String(plain[start..<end]), for: job) + plain[end...]
        }.joined()
    }

    /// One job after another, a line per field (`ID  12`), every value whole.
    package static func records(_ jobs: [Job], fields: [JobField], now: Double, colored: Bool = false) -> String {
        let titles = fields.map(title)
        let width = titles.map(\.count).max() ?? 0
        return jobs.map { job in
            zip(fields, titles).map { field, title in
                // The command as it is, to copy and run again (`\\` is one backslash).
                var value = field == .command ? TextTable.asIs(job.command) : cell(field, of: job, now: now, cut: false)
                // A record has room for the time itself beside how long ago it was.
                if [.submitted, .started, .finished, .notbefore].contains(field), value != "-" {
                    value += " (" + field.text(of: job, now: now) + ")"
                }
                let shown = field == .status && colored ? paint(value, for: job) : value
                return title + String(repeating: " ", count: width - title.count + 2) + shown + "\n"
            }.joined()
        }.joined(separator: "\n")
    }

    /// Green for returncode 0, red for another or a job that could not start,
    /// yellow for killed, blue while running; queued stays plain.
    private static func paint(_ text: String, for job: Job) -> String {
        let code: String
        switch JobOutcome(job) {
        case .zero?: code = "32"
        case .nonzero?, .failed?: code = "31"
        case .killed?: code = "33"
        case nil: guard job.status == .running else { return text }; code = "34"
        }
        return "\u{1b}[\(code)m\(text)\u{1b}[0m"
    }

    private static func title(_ field: JobField) -> String {
        switch field {
        case .jobid: return "ID"
        case .returncode: return "RC"
        case .maxRSS: return "MAX RSS"
        case .notifyStatus: return "NOTIFIED"
        default: return field.rawValue.replacing("_", with: " ").uppercased()
        }
    }

    private static func cell(_ field: JobField, of job: Job, now: Double, cut isCut: Bool) -> String {
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
        case .command, .msg: return isCut ? cut(field.text(of: job, now: now)) : field.text(of: job, now: now)
        default: return field.text(of: job, now: now)
        }
    }

    /// `12s ago`, `5m ago`, `3h20m ago`, `2d4h ago`; `in 10m` for a time to come.
    package static func ago(_ time: Double, now: Double) -> String {
        let seconds = now - time
        return seconds >= 0 ? "\(roughly(seconds)) ago" : "in \(roughly(-seconds))"
    }

    /// Rounded to the nearest of the smallest unit shown (a `--delay 10m` a
    /// moment later is `in 10m`, not `in 9m`); past an hour, two units.
    package static func roughly(_ seconds: Double) -> String {
        let (minute, hour, day) = (60.0, 3_600.0, 86_400.0)
        func two(_ big: Int, _ bigUnit: String, _ small: Int, _ smallUnit: String) -> String {
            "\(big)\(bigUnit)" + (small > 0 ? "\(small)\(smallUnit)" : "")
        }
        switch seconds {
        case ..<(minute - 0.5): return "\(Int(seconds.rounded()))s"
        case ..<(hour - minute / 2): return "\(Int((seconds / minute).rounded()))m"
        case ..<(day - minute / 2):
            let minutes = Int((seconds / minute).rounded())
            return two(minutes / 60, "h", minutes % 60, "m")
        default:
            let hours = Int((seconds / hour).rounded())
            return two(hours / 24, "d", hours % 24, "h")
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

    /// The same for a size in bytes.
    package static func memory(bytes: Int) -> String { memory(kilobytes: Int64(bytes / 1024)) }

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

    /// The columns to cut, in order, and the fewest characters each keeps.
    private static let cuttable: [(field: JobField, least: Int)] = [(.command, 12), (.name, 6), (.msg, 8), (.group, 6), (.cwd, 8)]

    /// Column widths whose line (two spaces between columns) fits in
    /// `width`, as far as cutting the cuttable columns down to their least allows.
    package static func fitted(_ widths: [Int], fields: [JobField], in width: Int) -> [Int] {
        var widths = widths
        var excess = widths.reduce(0, +) + 2 * max(0, widths.count - 1) - width
        for (field, least) in cuttable where excess > 0 {
            guard let column = fields.firstIndex(of: field), widths[column] > least else { continue }
            let cut = min(excess, widths[column] - least)
            widths[column] -= cut
            excess -= cut
        }
        return widths
    }

    private static func cut(_ text: String) -> String {
        text.count <= maxCellCharacters ? text : String(text.prefix(maxCellCharacters - 1)) + "…"
    }
}
