@testable import JobSchedCore
import Testing

@Suite("Unit: request head scanner")
struct RequestHeadScannerUnitTests {
    /// Scans `pieces` in turn; returns the scanner.
    func scan(_ pieces: [String], limit: Int = 64) -> RequestHeadScanner {
        var scanner = RequestHeadScanner(limit: limit)
        for piece in pieces {
            var bytes = piece
            bytes.withUTF8 { scanner.scan(UnsafeRawBufferPointer($0)) }
        }
        return scanner
    }

    @Test func theHeadEndsAtTheFirstEmptyLine() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let whole = scan([head + "body bytes that do not count"])
        #expect(whole.isComplete && whole.count == head.utf8.count)
        // Split anywhere, even inside the final CRLF CRLF.
        for cut in 1..<head.utf8.count {
            let split = scan([String(head.prefix(cut)), String(head.dropFirst(cut)) + "xyz"])
            #expect(split.isComplete && split.count == head.utf8.count, "cut at \(cut)")
        }
        #expect(scan(["GET / HTTP/1.1\nHost: a\n\nrest"]).count == "GET / HTTP/1.1\nHost: a\n\n".utf8.count)
        #expect(!scan(["GET / HTTP/1.1\r\nHost: a\r\n\rX: y\r\n"]).isComplete)
    }

    @Test func overTheLimitWithLineEndsCounted() {
        #expect(!scan([String(repeating: "a", count: 64)]).isTooLarge)
        #expect(scan([String(repeating: "a", count: 65)]).isTooLarge)
        #expect(scan([String(repeating: "a", count: 40), String(repeating: "a", count: 40)]).isTooLarge)
        #expect(scan([String(repeating: "X: y\r\n", count: 11)]).isTooLarge)
        // Once complete, later bytes are the body's.
        let done = scan(["GET / HTTP/1.1\r\n\r\n", String(repeating: "a", count: 100)])
        #expect(done.isComplete && !done.isTooLarge)
    }
}
