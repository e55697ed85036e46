import JobSchedModel

/// How a job ended, read back from the line the server writes for it
/// (`TextTable.statusLine`): `job 12 success returncode=3`, with the prefix
/// `jobsched: ` when it closes a sync or `follow=1` reply.
package struct JobEndReport: Equatable, Sendable {
    package var id: JobID
    package var status: JobStatus
    /// nil for a job that never ran (`returncode=-`).
    package var returncode: Int32?

    package static let trailerPrefix = "jobsched: "

    package init(id: JobID, status: JobStatus, returncode: Int32?) {
        self.id = id
        self.status = status
        self.returncode = returncode
    }

    package init?(line: Substring) {
        var line = line
        if line.last == "\n" { line = line.dropLast() }
        if line.hasPrefix(Self.trailerPrefix) { line = line.dropFirst(Self.trailerPrefix.count) }
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 4, words[0] == "job", let id = JobID(words[1]),
              let status = JobStatus(rawValue: String(words[2])), words[3].hasPrefix("returncode=") else { return nil }
        let code = words[3].dropFirst("returncode=".count)
        if code == "-" {
            returncode = nil
        } else {
            guard let value = Int32(code) else { return nil }
            returncode = value
        }
        self.id = id
        self.status = status
    }

    /// The line as the server writes it, `jobsched: ` included.
    package var trailer: String {
        Self.trailerPrefix + TextTable.statusLine(id: id, status: status, returncode: returncode)
    }

    /// Whether the job did what was asked: it ran and exited 0.
    package var succeeded: Bool { status == .success && returncode == 0 }

    /// Whether some job can have ended so: a returncode is an exit status
    /// (0–255) or minus the number of the signal that ended it (1–64), and a
    /// job that succeeded has one. A server that says otherwise is not to be
    /// believed, and `returncode=256` must not pass for 0.
    package var isPossible: Bool {
        guard let returncode else { return status != .success }
        return (0...255).contains(returncode) || (-64 ... -1).contains(returncode)
    }
}
