@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem
import Testing

@Suite("Unit: request scanner")
struct RequestScannerUnitTests {
    /// Scans `pieces` in turn; returns the scanner.
    func scan(_ pieces: [String], limit: Int = 64) -> RequestScanner {
        var scanner = RequestScanner(headLimit: limit)
        for piece in pieces {
            var bytes = piece
            bytes.withUTF8 { scanner.scan(UnsafeRawBufferPointer($0)) }
        }
        return scanner
    }

    @Test func theHeadEndsAtTheFirstEmptyLine() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let whole = scan([head + "body bytes that do not count"])
        #expect(whole.isDone && whole.headBytes == head.utf8.count && whole.refusal == nil)
        // Split anywhere, even inside the final CRLF CRLF.
        for cut in 1..<head.utf8.count {
            let split = scan([String(head.prefix(cut)), String(head.dropFirst(cut)) + "xyz"])
            #expect(split.isDone && split.headBytes == head.utf8.count, "cut at \(cut)")
        }
        #expect(scan(["GET / HTTP/1.1\nHost: a\n\nrest"]).headBytes == "GET / HTTP/1.1\nHost: a\n\n".utf8.count)
        #expect(!scan(["GET / HTTP/1.1\r\nHost: a\r\n\rX: y\r\n"]).isDone)
    }

    @Test func headsOverTheLimitWithLineEndsCounted() {
        #expect(scan([String(repeating: "a", count: 64)]).refusal == nil)
        #expect(scan([String(repeating: "a", count: 65)]).refusal == .headTooLarge)
        #expect(scan([String(repeating: "a", count: 40), String(repeating: "a", count: 40)]).refusal == .headTooLarge)
        #expect(scan([String(repeating: "X: y\r\n", count: 11)]).refusal == .headTooLarge)
        #expect(scan(["GET / HTTP/1.1\r\n" + String(repeating: "X: y\r\n", count: 9) + "\r\n"]).refusal == .headTooLarge)
        // Once the head is over, later bytes are the body's.
        let done = scan(["GET / HTTP/1.1\r\n\r\n", String(repeating: "a", count: 100)])
        #expect(done.isDone && done.refusal == nil)
    }

    let chunkedHead = "POST /submit HTTP/1.1\r\nTransfer-Encoding:  Chunked \r\n\r\n"

    @Test func wellFormedChunksPass() {
        let body = "5\r\nhello\r\n0A\r\n0123456789\r\n\r\n0\r\n\r\n"
        #expect(scan([chunkedHead + body], limit: 1000).isDone)
        // Byte by byte: sizes and data split across reads.
        let bytes = scan((chunkedHead + body).map { String($0) }, limit: 1000)
        #expect(bytes.isDone && bytes.refusal == nil)
        // Chunk data may hold anything, newlines and non-hex included.
        #expect(scan([chunkedHead + "4\r\nzz\r\n\r\n0\r\n\r\n"], limit: 1000).refusal == nil)
    }

    @Test func malformedChunkSizesAreRefused() {
        for size in ["zz", "-5", "+5", "0x5", "5;ext=1", "5 ", " 5", String(repeating: "1", count: 17), String(repeating: "0", count: 40)] {
            #expect(scan([chunkedHead + size + "\r\n"], limit: 1000).refusal == .badChunkSize, "\(size)")
        }
        #expect(scan([chunkedHead + "3\r\nabc\r\nzz\r\n"], limit: 1000).refusal == .badChunkSize)
    }

    /// Only what evhttp reads as a chunked body is scanned as one.
    @Test func bodiesEvhttpDoesNotReadAsChunkedAreLeftAlone() {
        for head in ["GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                     "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n",
                     "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
                     "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"] {
            let scanner = scan([head + "zz\r\n"], limit: 1000)
            #expect(scanner.isDone && scanner.refusal == nil, "\(head)")
        }
    }
}
