/// The text reply of a request that acts on several jobs (`kill`, `rm`), on a
/// group (`pause`, `resume`) or lists them (`ls`, `show`), line by line as it
/// comes: each line goes to stdout, except those that say the server could
/// not do what was asked for a job (`Error: …`) and warnings, which go to
/// stderr. The client exits 125 when any line was an error, after the server
/// did the rest. A line is held only until it is known where it goes: past
/// `maxHeldBytes` its start goes out, and the rest follows it.
package struct ResultLines {
    /// The bytes for stdout and for stderr among what came.
    package struct Lines: Equatable {
        package var out: [UInt8] = []
        package var err: [UInt8] = []
    }

    /// The most of one line held back while it may still be an error or a note.
    package static let maxHeldBytes = 64 * 1024
    private static let errorPrefix = Array("Error: ".utf8)

    private var partialLine: [UInt8] = []
    /// Where the rest of a line that was too long to hold goes: true for stderr.
    private var continuingToErr: Bool?
    /// How many lines said the server could not act on a job.
    package private(set) var errors = 0
    /// What an error line starts with on stderr instead of `Error: `, if anything.
    private let errorPrefix: [UInt8]?

    /// `errorsAs`: the error lines' `Error: ` replaced (`jobsched: `, as the client says a refusal).
    package init(errorsAs prefix: String? = nil) {
        errorPrefix = prefix.map { Array($0.utf8) }
    }

    /// Takes the next bytes of the body; returns what can go out now.
    package mutating func take(_ bytes: [UInt8]) -> Lines {
        var sorted = Lines()
        var rest = bytes[...]
        if let toErr = continuingToErr {
            let end = rest.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? rest.endIndex
            if toErr { sorted.err += rest[..<end] } else { sorted.out += rest[..<end] }
            if end < rest.endIndex || rest.last == UInt8(ascii: "\n") { continuingToErr = nil }
            rest = rest[end...]
        }
        partialLine += rest
        if let lastNewline = partialLine.lastIndex(of: UInt8(ascii: "\n")) {
            for line in partialLine[...lastNewline].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
                route(line, into: &sorted)
            }
            partialLine = Array(partialLine[(lastNewline + 1)...])
        }
        if partialLine.count > ResultLines.maxHeldBytes {
            // Too long to be one of jobsched's messages but for an error: its start goes out now.
            let toErr = partialLine.starts(with: ResultLines.errorPrefix)
            route(partialLine[...], into: &sorted, ended: false)
            continuingToErr = toErr
            partialLine = []
        }
        return sorted
    }

    /// At the end of the body: a last line that had no newline.
    package mutating func finish() -> Lines {
        var sorted = Lines()
        if !partialLine.isEmpty { route(partialLine[...], into: &sorted) }
        partialLine = []
        return sorted
    }

    private mutating func route(_ line: ArraySlice<UInt8>, into sorted: inout Lines, ended: Bool = true) {
        let newline: [UInt8] = ended ? [UInt8(ascii: "\n")] : []
        guard line.starts(with: ResultLines.errorPrefix) else {
            if ended && PauseReply.isUnusedGroupNote(line) { sorted.err += line + newline } else { sorted.out += line + newline }
            return
        }
        errors += 1
        if let errorPrefix {
            sorted.err += errorPrefix + line.dropFirst(ResultLines.errorPrefix.count) + newline
        } else {
            sorted.err += line + newline
        }
    }
}
