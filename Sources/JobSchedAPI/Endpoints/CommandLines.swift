import JobSchedModel

/// The body of a batch submit (`/submit?lines=1`): one bash command per line.
package enum CommandLines {
    /// Most commands one batch may hold; a batch is inserted in one go.
    package static let maxCount = 100_000

    /// The commands, in order. Lines are split on LF, a trailing CR is dropped
    /// (files edited on Windows), and blank lines are skipped. A line with a NUL
    /// byte or invalid UTF-8 rejects the whole body, naming its line number
    /// (counting blank lines too, as an editor does).
    package static func parse(_ body: [UInt8]) throws(RequestError) -> [String] {
        var commands: [String] = []
        var number = 0
        for var line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.contains(0) { throw .badRequest("line \(number): contains a NUL byte") }
            guard let command = String(validating: line, as: UTF8.self) else {
                throw .badRequest("line \(number): not valid UTF-8")
            }
            if command.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            guard commands.count < maxCount else {
                throw .badRequest("line \(number): a batch holds at most \(maxCount) commands")
            }
            commands.append(command)
        }
        guard !commands.isEmpty else { throw .badRequest("lines=1: the request body holds no command") }
        return commands
    }
}
