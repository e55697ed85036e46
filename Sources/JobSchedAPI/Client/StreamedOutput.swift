/// Splits the body of a streamed reply (a sync `/submit`, `/output?follow=1`)
/// into the job's output, handed on as it arrives, and the status line the
/// server closes it with, which the client reads instead of printing.
///
/// A line of the job's own that looks like a status line is output like any
/// other: only the last line of the body, once the body has ended, is taken
/// as the status. So a line that could be it is held back until more comes.
package struct StreamedOutput {
    /// A sync submit's reply starts with the job's id on a line of its own.
    private var awaitingIDLine: Bool
    private var held: [UInt8] = []

    private static let marker = Array("\(JobEndReport.trailerPrefix)job ".utf8)

    package init(startsWithJobID: Bool) {
        awaitingIDLine = startsWithJobID
    }

    /// Takes the next bytes of the body; returns the part that is surely output.
    package mutating func take(_ bytes: [UInt8]) -> [UInt8] {
        held += bytes
        if awaitingIDLine {
            guard let newline = held.firstIndex(of: UInt8(ascii: "\n")) else { return [] }
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
    /// connection broke, or the reply was not a job's stream.
    package mutating func finish() -> (output: [UInt8], report: JobEndReport?) {
        defer { held = [] }
        if held.last == UInt8(ascii: "\n"), !held.dropLast().contains(UInt8(ascii: "\n")),
           let report = JobEndReport(line: Substring(decoding: held, as: UTF8.self)) {
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
        let compared = min(line.count, Self.marker.count)
        return line.prefix(compared).elementsEqual(Self.marker.prefix(compared)) ? lineStart : held.count
    }
}
