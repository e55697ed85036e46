/// Plain-text replies: one item per line, tab-separated columns.
package enum TextTable {
    /// A header line, then one line per job.
    package static func jobs(_ jobs: [Job], fields: [JobField], now: Double) -> String {
        fields.map(\.rawValue).joined(separator: "\t") + "\n" + rows(jobs, fields: fields, now: now)
    }

    /// The lines of `jobs` without the header line.
    package static func rows(_ jobs: [Job], fields: [JobField], now: Double) -> String {
        var out = ""
        for job in jobs {
            out += fields.map { $0.text(of: job, now: now) }.joined(separator: "\t") + "\n"
        }
        return out
    }

    /// Keeps one value on one cell and off the terminal's controls: tab,
    /// newline, carriage return, backslash, other control characters and
    /// invisible format characters (bidirectional overrides) are escaped.
    package static func escape(_ value: String) -> String {
        value.escaping { String($0) }
    }

    /// Rows of cells in aligned columns, two spaces apart, with no trailing spaces.
    package static func aligned(_ rows: [[String]]) -> String {
        var widths: [Int] = []
        for row in rows {
            for (column, cell) in row.enumerated() {
                if column < widths.count { widths[column] = max(widths[column], cell.count) } else { widths.append(cell.count) }
            }
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }.joined() + "\n"
        }.joined()
    }

    /// `value` as it is, for a person to copy (`show`'s command): only what
    /// would act on the terminal (ESC, BEL, a carriage return, the invisible
    /// format characters) is written as `\u001b`; backslashes, tabs and newlines stay.
    package static func asIs(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0.isEscapedAsCode || $0 == "\r" }) else { return value }
        var out = ""
        for scalar in value.unicodeScalars {
            guard (scalar.isEscapedAsCode || scalar == "\r") && scalar != "\n" && scalar != "\t" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            out += String(Character(scalar)).escaping { String($0) }
        }
        return out
    }

    /// The line that reports a job's end, as in `/wait` and a sync reply's trailer.
    package static func statusLine(_ job: Job) -> String {
        statusLine(id: job.id, status: job.status, returncode: job.returncode)
    }

    package static func statusLine(id: JobID, status: JobStatus, returncode: Int32?) -> String {
        "job \(id) \(status.rawValue) returncode=\(returncode.map(String.init) ?? "-")"
    }
}

extension Unicode.Scalar {
    /// Shown as a `\u` escape. C0 controls, DEL and C1 controls: what a
    /// terminal may act on (ESC starts a sequence that can rewrite the screen,
    /// CR moves the cursor). And the invisible format characters (general
    /// category Cf: the bidirectional controls U+202A–202E and U+2066–2069 that
    /// reorder what follows, U+200E/200F, U+061C, the zero-width U+200B–200D,
    /// U+2060–2064, U+FEFF, the soft hyphen U+00AD), which make a name or a
    /// command read as something it is not.
    package var isEscapedAsCode: Bool {
        // Only non-ASCII pays for the category lookup.
        value < 0x20 || (0x7F...0x9F).contains(value) || (value > 0x9F && properties.generalCategory == .format)
    }
}

extension String {
    /// Backslash-escapes backslash, tab, newline and carriage return, and every
    /// other control or invisible format character as `\u001b` (one escape per
    /// UTF-16 unit, so `\udb40\udc01` above U+FFFF, as JSON has it): the
    /// escapes text cells and JSON share, so neither a job's name nor its
    /// command can act on a terminal or hide in it. `other` maps every other scalar.
    package func escaping(_ other: (Unicode.Scalar) -> String) -> String {
        guard unicodeScalars.contains(where: { $0 == "\\" || $0 == "\"" || $0.isEscapedAsCode }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case _ where scalar.isEscapedAsCode:
                for unit in scalar.utf16 {
                    let hex = String(unit, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: out += other(scalar)
            }
        }
        return out
    }
}
