/// The text reply of a request that acts on several jobs (`kill`, `rm`) or
/// on a group (`pause`, `resume`), line by line as it comes: each line goes
/// to stdout, except those that say the server could not do what was asked
/// for one job (`Error: …`) and warnings, which go to stderr. The client exits
/// 125 when any job's line was an error, after the server did the rest.
package struct ResultLines {
    /// The lines for stdout and for stderr among what came.
    package struct Lines: Equatable {
        package var out: [UInt8] = []
        package var err: [UInt8] = []
    }

    private var partialLine: [UInt8] = []
    /// How many lines said the server could not act on a job.
    package private(set) var errors = 0
    /// What an error line starts with on stderr instead of `Error: `, if anything.
    private let errorPrefix: [UInt8]?

    /// `errorsAs`: the error lines' `Error: ` replaced (`jobsched: `, as the client says a refusal).
    package init(errorsAs prefix: String? = nil) {
        errorPrefix = prefix.map { Array($0.utf8) }
    }

    /// Takes the next bytes of the body; returns its whole lines, sorted.
    package mutating func take(_ bytes: [UInt8]) -> Lines {
        partialLine += bytes
        guard let lastNewline = partialLine.lastIndex(of: UInt8(ascii: "\n")) else { return Lines() }
        let whole = partialLine[...lastNewline]
        defer { partialLine = Array(partialLine[(lastNewline + 1)...]) }
        return sort(whole.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast())
    }

    /// At the end of the body: a last line that had no newline.
    package mutating func finish() -> Lines {
        defer { partialLine = [] }
        return partialLine.isEmpty ? Lines() : sort([partialLine[...]])
    }

    private mutating func sort(_ lines: some Sequence<ArraySlice<UInt8>>) -> Lines {
        var sorted = Lines()
        for line in lines {
            let isError = line.starts(with: ResultLines.errorPrefix)
            if isError { errors += 1 }
            if isError, let errorPrefix {
                sorted.err += errorPrefix + line.dropFirst(ResultLines.errorPrefix.count) + [UInt8(ascii: "\n")]
            } else if isError || PauseReply.isUnusedGroupNote(line) {
                sorted.err += line + [UInt8(ascii: "\n")]
            } else {
                sorted.out += line + [UInt8(ascii: "\n")]
            }
        }
        return sorted
    }

    private static let errorPrefix = Array("Error: ".utf8)
}
