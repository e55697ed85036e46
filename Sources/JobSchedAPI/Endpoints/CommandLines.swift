import JobSchedModel

/// The body of a batch submit (`/submit?lines=1`): one bash command per line.
package enum CommandLines {
    /// Most commands one batch may hold.
    package static let maxCount = 100_000

    /// The commands, in order. Lines are split on LF, a trailing CR is dropped
    /// (files edited on Windows), and blank lines are skipped. A line with a NUL
    /// byte or invalid UTF-8 rejects the whole body, naming its line number
    /// (counting blank lines too, as an editor does).
    package static func parse(_ body: [UInt8]) throws(RequestError) -> [String] {
        var commands: [String] = []
        var number = 0
        var lineStart = 0
        // On the bytes, with no array of lines and no Character in between:
        // 100,000 lines are parsed in one go while every other client waits.
        while lineStart <= body.count {
            let newline = body[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? body.count
            var line = body[lineStart..<newline]
            lineStart = newline + 1
            number += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            if line.contains(0) { throw .badRequest("line \(number): contains a NUL byte") }
            guard let command = String(validating: line, as: UTF8.self) else {
                throw .badRequest("line \(number): not valid UTF-8")
            }
            guard commands.count < maxCount else {
                throw .badRequest("line \(number): a batch holds at most \(maxCount) commands")
            }
            commands.append(command)
        }
        guard !commands.isEmpty else { throw .badRequest("lines=1: the request body holds no command") }
        return commands
    }
}
