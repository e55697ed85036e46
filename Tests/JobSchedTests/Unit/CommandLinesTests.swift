@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem
import Testing

@Suite("Unit: the command lines of a batch submit")
struct CommandLinesUnitTests {
    private func parse(_ text: String) throws(RequestError) -> [String] {
        try CommandLines.parse(Array(text.utf8))
    }

    @Test func oneCommandPerLineInOrder() throws {
        #expect(try parse("echo 1\necho 2\necho 3") == ["echo 1", "echo 2", "echo 3"])
        #expect(try parse("echo 1\necho 2\n") == ["echo 1", "echo 2"])
    }

    @Test func blankLinesAreSkippedAndCRLFAccepted() throws {
        #expect(try parse("\n a \n\n \t \r\nb\r\n") == [" a ", "b"])
    }

    @Test func commandsAreKeptAsTheyAre() throws {
        #expect(try parse("x=1&y=2 %41 + 'q'\n") == ["x=1&y=2 %41 + 'q'"])
    }

    @Test func badLineNamesItsNumber() {
        #expect(throws: RequestError.badRequest("line 3: not valid UTF-8")) {
            try CommandLines.parse(Array("a\n\n".utf8) + [0xFF, 0x0A] + Array("b\n".utf8))
        }
        #expect(throws: RequestError.badRequest("line 2: contains a NUL byte")) {
            try CommandLines.parse(Array("a\nb".utf8) + [0] + Array("c".utf8))
        }
    }

    @Test func emptyOrTooLongBodyIsRejected() {
        #expect(throws: RequestError.self) { try parse("") }
        #expect(throws: RequestError.self) { try parse("\n \n") }
        let tooMany = String(repeating: "true\n", count: CommandLines.maxCount + 1)
        #expect(throws: RequestError.badRequest("line \(CommandLines.maxCount + 1): a batch holds at most \(CommandLines.maxCount) commands")) {
            try parse(tooMany)
        }
    }
}
