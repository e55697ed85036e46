import JobSchedModel

/// Splits the body of a streamed reply (a sync `/submit`, `/output?follow=1`)
/// into the job's output, handed on as it arrives, and the status line the
/// server closes it with, which the client reads instead of printing.
///
/// A line of the job's own that looks like a status line is output like any
/// other: only the last line of the body, once the body has ended, is taken
/// as the status. So a line that could be it is held back until more comes,
/// but no longer than a status line can be: what is held stays small, however
/// long the job's (or a hostile server's) line.
package struct StreamedOutput {
    /// `jobsched: job ID STATUS returncode=N` is at most 64 bytes.
    package static let maxStatusLineBytes = 128

    /// The job the stream is about: the one followed, or the one whose id
    /// starts a sync submit's reply.
    package private(set) var jobID: JobID?
    /// A sync submit's reply starts with the job's id on a line of its own.
    private var awaitingIDLine: Bool
    private var held: [UInt8] = []

    private static let marker = Array("\(JobEndReport.trailerPrefix)job ".utf8)

    /// `following`: the job whose output this is; nil for a sync submit's
    /// reply, which says which job it started on its first line.
    package init(following id: JobID?) {
        jobID = id
        awaitingIDLine = id == nil
    }

    /// Takes the next bytes of the body; returns the part that is surely output.
    package mutating func take(_ bytes: [UInt8]) throws(BadReply) -> [UInt8] {
        held += bytes
        if awaitingIDLine {
            let first = held.prefix(JobIDReply.maxBytes)
            guard let newline = first.firstIndex(of: UInt8(ascii: "\n")) else {
                // Not the id line's end yet; or, with as many bytes as an id line
                // may have and no newline, not an id line (so JobIDReply throws).
                if held.count >= JobIDReply.maxBytes { _ = try JobIDReply.id(first) }
                return []
            }
            jobID = try JobIDReply.id(held[...newline])
            held.removeSubrange(...newline)
            awaitingIDLine = false
        }
        let keep = startOfPossibleStatusLine()
        let output = Array(held[..<keep])
        held.removeSubrange(..<keep)
        return output
    }

    /// At the end of the body: the status line, or nil (with what was held
    /// given back as output) when the body did not end with one: the
    /// connection broke, or the reply was not a job's stream. A status line
    /// about another job than this one is a bad reply.
    package mutating func finish() throws(BadReply) -> (output: [UInt8], report: JobEndReport?) {
        defer { held = [] }
        if held.last == UInt8(ascii: "\n"), !held.dropLast().contains(UInt8(ascii: "\n")),
           let report = JobEndReport(line: Substring(decoding: held, as: UTF8.self)) {
            guard report.id == jobID else {
                throw BadReply("the reply about job \(jobID.map(String.init) ?? "-") ends with how job \(report.id) ended")
            }
            return ([], report)
        }
        return (held, nil)
    }

    /// Where the held bytes stop being surely output: the start of the last
    /// line when it may still turn out to be the final status line.
    private func startOfPossibleStatusLine() -> Int {
        let end = held.last == UInt8(ascii: "\n") ? held.count - 1 : held.count
        let lineStart = held[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let line = held[lineStart...]
        guard line.count <= Self.maxStatusLineBytes else { return held.count }
        let compared = min(line.count, Self.marker.count)
        return line.prefix(compared).elementsEqual(Self.marker.prefix(compared)) ? lineStart : held.count
    }
}
