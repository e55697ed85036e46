import JobSchedModel

/// `/wait`'s text reply, checked line by line as it passes through to
/// stdout: each line says how a job ended (or stands, when `--timeout` passed
/// first) as some job can have, and the status agrees with the lines: 200
/// only when every job succeeded. `jobsched wait` exits 0 on nothing less.
package struct WaitReply {
    private var partialLine: [UInt8] = []
    private var allSucceeded = true

    package init() {}

    /// Takes the next bytes of the body; returns the whole lines among them, checked.
    package mutating func take(_ bytes: [UInt8]) throws(BadReply) -> [UInt8] {
        guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
            partialLine += bytes
            try checkLength(partialLine)
            return []
        }
        var lines = partialLine
        lines += bytes[...lastNewline]
        partialLine = Array(bytes[(lastNewline + 1)...])
        try checkLength(partialLine)
        for line in lines.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            try check(line)
        }
        return lines
    }

    /// At the end of the body, with the reply's status (200 or 409): whether
    /// every job succeeded.
    package func finish(status: Int) throws(BadReply) -> Bool {
        guard partialLine.isEmpty else { throw BadReply("the reply ends inside a line: \(Self.quoted(partialLine))") }
        guard allSucceeded == (status == 200) else {
            throw BadReply(allSucceeded ? "status \(status), yet every job succeeded" : "status \(status), yet not every job succeeded")
        }
        return allSucceeded
    }

    private mutating func check(_ line: ArraySlice<UInt8>) throws(BadReply) {
        try checkLength(line)
        guard let report = JobEndReport(line: Substring(decoding: line, as: UTF8.self)), report.isPossible else {
            throw BadReply("expected how a job ended, such as 'job 12 success returncode=0', got \(Self.quoted(line))")
        }
        if !report.succeeded { allSucceeded = false }
    }

    private func checkLength<Line: Collection<UInt8>>(_ line: Line) throws(BadReply) {
        guard line.count <= StreamedOutput.maxStatusLineBytes else {
            throw BadReply("expected how a job ended, got a line longer than \(StreamedOutput.maxStatusLineBytes) bytes")
        }
    }

    private static func quoted<Line: Collection<UInt8>>(_ line: Line) -> String {
        Excerpt.quoted(String(decoding: line, as: UTF8.self))
    }
}
