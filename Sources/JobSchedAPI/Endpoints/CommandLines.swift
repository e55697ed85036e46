import JobSchedModel

/// The body of a batch submit (`/submit?lines=1`): one bash command per line.
///
/// Lines are split on LF, a trailing CR is dropped (files edited on Windows),
/// and blank lines are skipped. A line with a NUL byte or invalid UTF-8
/// rejects the whole body, naming its line number (counting blank lines too,
/// as an editor does).
package struct CommandLines {
    /// Most commands one batch may hold.
    package static let maxCount = 100_000

    private let body: [UInt8]
    private var lineStart = 0
    private var number = 0
    package private(set) var commands: [String] = []

    package init(_ body: [UInt8]) { self.body = body }

    /// Every line has been read.
    package var isComplete: Bool { lineStart > body.count }

    /// The commands of the whole body, in order.
    package static func parse(_ body: [UInt8]) throws(RequestError) -> [String] {
        var lines = CommandLines(body)
        while !lines.isComplete { try lines.read(upTo: .max) }
        guard !lines.commands.isEmpty else { throw noCommand }
        return lines.commands
    }

    package static let noCommand = RequestError.badRequest("lines=1: the request body holds no command")

    /// Reads up to `count` more lines, on the bytes, with no array of lines
    /// and no Character in between: a batch is read a part at a time while
    /// other clients are served between two parts.
    package mutating func read(upTo count: Int) throws(RequestError) {
        var read = 0
        while lineStart <= body.count && read < count {
            let newline = body[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? body.count
            var line = body[lineStart..<newline]
            lineStart = newline + 1
            number += 1
            read += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            if line.contains(0) { throw .badRequest("line \(number): contains a NUL byte") }
            guard let command = String(validating: line, as: UTF8.self) else {
                throw .badRequest("line \(number): not valid UTF-8")
            }
            guard commands.count < CommandLines.maxCount else {
                throw .badRequest("line \(number): a batch holds at most \(CommandLines.maxCount) commands")
            }
            commands.append(command)
        }
    }
}
