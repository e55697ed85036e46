import Foundation
import Glibc
import Testing

/// HTTP/1.1 framing and target rules on the wire (RFC 9110, 9112), through raw sockets:
/// what curl would never send.
@Suite("Integration: HTTP protocol")
struct HTTPProtocolIntegrationTests {
    /// A request the server must never run: it records a job if it does.
    static let smuggled = "GET /submit?command=true&sync=0 HTTP/1.1\r\nHost: localhost\r\n\r\n"

    /// Sends `bytes` on a new connection; returns everything the server sends until it closes.
    static func exchange(_ server: ServerProcess, _ bytes: String, timeout: Double = 10) throws -> String {
        let connection = try RawConnection(port: server.port)
        connection.send(bytes)
        return connection.readAll(timeout: timeout)
    }

    static func jobCount(_ server: ServerProcess) -> Int {
        server.curl("/jobinfo", data: "all=1").lines.count - 1
    }

    /// Whatever evhttp takes as the end of the first request, the rest must not run as a second one.
    @Test func ambiguousBodyLengthsAre400AndTheRestNeverRuns() throws {
        let server = try ServerProcess()
        let smuggled = HTTPProtocolIntegrationTests.smuggled
        let cases: [(String, String)] = [
            ("two Content-Length", "POST /help HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: 0\r\nContent-Length: \(smuggled.utf8.count)\r\n\r\n" + smuggled),
            ("Content-Length and Transfer-Encoding", "POST /help HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Length: \(5 + smuggled.utf8.count)\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
            ("unknown Transfer-Encoding", "POST /help HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled),
            ("GET with a body", "GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(smuggled.utf8.count)\r\n\r\n" + smuggled),
        ]
        for (what, bytes) in cases {
            let reply = try HTTPProtocolIntegrationTests.exchange(server, bytes)
            #expect(reply.hasPrefix("HTTP/1.1 400") || reply.hasPrefix("HTTP/1.1 501"), "\(what): \(reply)")
            #expect(reply.contains("Connection: close"), "\(what): \(reply)")
            #expect(!reply.dropFirst().contains("HTTP/1.1 "), "\(what) was answered twice: \(reply)")
        }
        #expect(HTTPProtocolIntegrationTests.jobCount(server) == 0, "a smuggled request ran")
        #expect(server.curl("/health").body == "ok\n")
    }

    @Test func contentLengthIsDigitsOnly() throws {
        let server = try ServerProcess()
        for length in ["+19", "1 9", "0x13", "19.0"] {
            let reply = try HTTPProtocolIntegrationTests.exchange(server, "POST /submit HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(length)\r\n\r\ncommand=true&sync=0")
            #expect(reply.hasPrefix("HTTP/1.1 400"), "\(length): \(reply)")
        }
        #expect(HTTPProtocolIntegrationTests.jobCount(server) == 0)
    }

    /// The authority of an absolute-form target is the request's host (RFC 9112 3.2.2).
    @Test func absoluteFormTargetsPassTheHostCheck() throws {
        let server = try ServerProcess()
        let foreign = try HTTPProtocolIntegrationTests.exchange(server,
            "GET http://evil.example/health HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nConnection: close\r\n\r\n")
        #expect(foreign.hasPrefix("HTTP/1.1 403"), "\(foreign)")
        let own = try HTTPProtocolIntegrationTests.exchange(server,
            "GET http://127.0.0.1:\(server.port)/health HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nConnection: close\r\n\r\n")
        #expect(own.hasPrefix("HTTP/1.1 200") && own.hasSuffix("\r\n\r\nok\n"), "\(own)")
    }

    @Test func exactlyOneHostHeader() throws {
        let server = try ServerProcess()
        let two = try HTTPProtocolIntegrationTests.exchange(server,
            "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        #expect(two.hasPrefix("HTTP/1.1 400"), "\(two)")
        let none = try HTTPProtocolIntegrationTests.exchange(server, "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(none.hasPrefix("HTTP/1.1 400"), "\(none)")
    }

    /// Old tools and health checkers speak HTTP/1.0 and may send no Host: answered,
    /// but a page's Origin is still refused, and so is a second Host.
    @Test func http10WithoutHostIsAnswered() throws {
        let server = try ServerProcess()
        let plain = try HTTPProtocolIntegrationTests.exchange(server, "GET /health HTTP/1.0\r\n\r\n")
        #expect(plain.hasPrefix("HTTP/1.0 200") || plain.hasPrefix("HTTP/1.1 200"), "\(plain)")
        #expect(plain.hasSuffix("\r\n\r\nok\n"), "\(plain)")
        let fromPage = try HTTPProtocolIntegrationTests.exchange(server,
            "GET /health HTTP/1.0\r\nOrigin: http://evil.example\r\n\r\n")
        #expect(fromPage.contains(" 403 "), "\(fromPage)")
        let two = try HTTPProtocolIntegrationTests.exchange(server,
            "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n")
        #expect(two.contains(" 400 "), "\(two)")
    }

    /// A request line or header block over the limit is a 431, whether it ends or not.
    @Test func headersOverTheLimitAre431() throws {
        let server = try ServerProcess()
        let padding = String(repeating: "a", count: 70 * 1024)
        for bytes in ["GET /help HTTP/1.1\r\nHost: localhost\r\nX-Big: \(padding)\r\n\r\n",
                      "GET /help HTTP/1.1\r\nHost: localhost\r\nX-Big: \(padding)",
                      "GET /\(padding) HTTP/1.1\r\nHost: localhost\r\n\r\n",
                      "GET /help HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 10_000) + "\r\n",
                      "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /help HTTP/1.1\r\nX-Big: \(padding)\r\n\r\n"] {
            let reply = try HTTPProtocolIntegrationTests.exchange(server, bytes)
            let start = try #require(reply.range(of: "HTTP/1.1 431"), "\(reply.prefix(300))")
            #expect(reply[start.lowerBound...].contains("Connection: close") && reply.hasSuffix("64 KiB (65536 bytes)\n"),
                    "\(reply.prefix(300))")
        }
        #expect(server.curl("/health").body == "ok\n")
    }

    /// evhttp took a malformed chunk size for a body over the limit (413).
    @Test func malformedChunkSizesAre400() throws {
        let server = try ServerProcess()
        let head = "POST /submit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        for body in ["zz\r\ncommand=true\r\n0\r\n\r\n", "-5\r\n", "13;x=y\r\ncommand=true&sync=0\r\n0\r\n\r\n",
                     "3\r\ncom\r\n+10\r\n"] {
            let reply = try HTTPProtocolIntegrationTests.exchange(server, head + body)
            #expect(reply.hasPrefix("HTTP/1.1 400") && reply.contains("chunk"), "\(body): \(reply)")
        }
        // Pipelined behind another request, read ahead before evhttp parses it.
        let behind = try HTTPProtocolIntegrationTests.exchange(server,
            "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n" + head + "zz\r\n")
        #expect(behind.hasPrefix("HTTP/1.1 200") && behind.contains("HTTP/1.1 400") && behind.hasSuffix("chunked body\n"),
                "\(behind)")
        // Well-formed chunks still work, over several reads; a body over the limit is still a 413.
        let good = try HTTPProtocolIntegrationTests.exchange(server, head
            + "d\r\ncommand=echo \r\n0A\r\nchunked&sy\r\n\r\n4\r\nnc=1\r\n0\r\n\r\n")
        #expect(good.hasPrefix("HTTP/1.1 200") && good.contains("\r\n\r\n") , "\(good)")
        let huge = try HTTPProtocolIntegrationTests.exchange(server, head + "7FFFFFFF\r\n")
        #expect(huge.hasPrefix("HTTP/1.1 413"), "\(huge)")
        #expect(HTTPProtocolIntegrationTests.jobCount(server) == 1)
    }

    /// A HEAD reply has the GET reply's headers and no content, so a keep-alive
    /// client reads the next reply where it starts.
    @Test func headRepliesHaveNoContent() throws {
        let server = try ServerProcess()
        for path in ["/health", "/help", "/nope"] {
            let get = try HTTPProtocolIntegrationTests.exchange(server,
                "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let getHeaders = try #require(get.range(of: "\r\n\r\n")).lowerBound
            let reply = try HTTPProtocolIntegrationTests.exchange(server,
                "HEAD \(path) HTTP/1.1\r\nHost: localhost\r\n\r\nGET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let end = try #require(reply.range(of: "\r\n\r\n"))
            let contentLength = get[..<getHeaders].split(separator: "\r\n").first { $0.hasPrefix("Content-Length:") }
            #expect(contentLength != nil && reply[..<end.lowerBound].contains(contentLength!), "\(path): \(reply)")
            #expect(reply[end.upperBound...].hasPrefix("HTTP/1.1 200 OK"), "\(path): \(reply)")
            #expect(reply.hasSuffix("\r\n\r\nok\n"), "\(path): \(reply)")
        }
    }

    @Test func percentEncodedNULInThePathIs400() throws {
        let server = try ServerProcess()
        let marker = server.directory.file("pwned")
        for target in ["/health%00x", "/submit%00junk?command=touch%20\(marker)&sync=0"] {
            let reply = try HTTPProtocolIntegrationTests.exchange(server,
                "GET \(target) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(reply.hasPrefix("HTTP/1.1 400") && reply.contains("NUL"), "\(target): \(reply)")
        }
        #expect(HTTPProtocolIntegrationTests.jobCount(server) == 0)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    /// A client without the token pipelines requests and never reads the replies: the
    /// server must stop reading it instead of buffering everything it sends, and keep
    /// serving others meanwhile.
    @Test func pipeliningWithoutReadingDoesNotGrowTheServer() throws {
        let server = try ServerProcess([], environment: ["JOBSCHED_TOKEN": "secret"])
        let auth = ["-H", "Authorization: Bearer secret"]
        #expect(server.curl("/health", extra: auth).body == "ok\n")
        let idle = try HTTPProtocolIntegrationTests.residentKiB(server.pid)
        let flood = try RawConnection(port: server.port)
        _ = fcntl(flood.fd, F_SETFL, fcntl(flood.fd, F_GETFL) | O_NONBLOCK)
        let chunk = Array(String(repeating: "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", count: 1000).utf8)
        var sent = 0
        var lastProgress = Date()
        // Until the server stops taking bytes for 2 s, or 128 MiB are out.
        while sent < 128 << 20 && Date().timeIntervalSince(lastProgress) < 2 {
            var pfd = pollfd(fd: flood.fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            let n = chunk.withUnsafeBytes { send(flood.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
                lastProgress = Date()
            } else if errno != EAGAIN {
                break
            }
        }
        let reply = server.curl("/health", extra: auth, timeout: 30)
        #expect(reply.status == 200 && reply.body == "ok\n", "another client: \(reply)")
        let grown = try HTTPProtocolIntegrationTests.residentKiB(server.pid) - idle
        #expect(grown < 8 * 1024, "the server grew by \(grown) KiB while \(sent) bytes were sent")
        withExtendedLifetime(flood) {}
    }

    /// More pipelined requests than a connection reads ahead: all are answered, in order.
    @Test func pipelinedRequestsBeyondTheReadAheadAreAllAnswered() throws {
        let server = try ServerProcess()
        let count = 3000
        let reply = try HTTPProtocolIntegrationTests.exchange(server,
            String(repeating: "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", count: count - 1)
                + "GET /help HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", timeout: 60)
        #expect(reply.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == count)
        #expect(reply.hasSuffix(server.curl("/help").body), "\(reply.suffix(200))")
    }

    static func residentKiB(_ pid: pid_t) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(line.split(separator: " ").compactMap { Int($0) }.first)
    }
}
