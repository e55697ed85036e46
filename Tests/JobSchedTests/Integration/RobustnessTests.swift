import Foundation
import Testing

/// Malformed HTTP straight onto the socket: the server answers or closes each
/// connection, never crashes, never creates a job, and still works afterwards.
@Suite("Integration: malformed HTTP")
struct RobustnessIntegrationTests {
    static func post(_ path: String, _ body: [UInt8], contentType: String = "application/x-www-form-urlencoded") -> [UInt8] {
        Array("POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8) + body
    }

    static func get(_ target: [UInt8]) -> [UInt8] {
        Array("GET ".utf8) + target + Array(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
    }

    static let requests: [(String, [UInt8])] = [
        ("garbage request line", Array("GARBAGE\r\n\r\n".utf8)),
        ("binary request line", [0, 1, 2, 255, 13, 10, 13, 10]),
        ("no target", Array("GET\r\n\r\n".utf8)),
        ("unknown version", Array("GET /help HTTP/9.9\r\n\r\n".utf8)),
        ("header without colon", Array("GET /help HTTP/1.1\r\nHost localhost\r\n\r\n".utf8)),
        ("huge header", Array("GET /help HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8)),
        ("negative length", Array("POST /submit HTTP/1.1\r\nContent-Length: -5\r\n\r\ncommand=true".utf8)),
        ("overflowing length", Array("POST /submit HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\nx".utf8)),
        ("bad chunk size", Array("POST /submit HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\ncommand=true\r\n0\r\n\r\n".utf8)),
        ("bad escape in path", get(Array("/he%zzlp".utf8))),
        ("bad escape in query", get(Array("/help?topic=%G1%".utf8))),
        ("NUL in query", get(Array("/help?topic=a".utf8) + [0] + Array("b".utf8))),
        ("invalid UTF-8 in path", get([47, 0xff, 0xfe])),
        ("bad escapes in body", post("/submit", Array("command=%G1&sync=0&%%%=1".utf8))),
        ("NUL in body", post("/submit", Array("command=a".utf8) + [0] + Array("b&sync=0".utf8))),
        ("invalid UTF-8 in body", post("/submit", Array("command=".utf8) + [0xc3, 0x28, 0xff] + Array("&sync=0".utf8))),
        ("huge id", post("/kill", Array("jobid=99999999999999999999999999999".utf8))),
        ("overflowing id", post("/wait", Array("jobid=9223372036854775808".utf8))),
        ("negative id", post("/kill", Array("jobid=-5".utf8))),
        ("max id", post("/wait", Array("jobid=9223372036854775807".utf8))),
        ("many ids", post("/jobinfo", Array(("jobid=" + (1...20000).map(String.init).joined(separator: ",")).utf8))),
        ("repeated parameters", post("/jobinfo", Array("jobid=1&jobid=x&jobid=2&fields=a&fields=jobid".utf8))),
        ("empty list items", post("/kill", Array("jobid=,,,".utf8))),
        ("multipart without boundary", post("/submit", Array("--x\r\n".utf8), contentType: "multipart/form-data")),
        ("truncated multipart", post("/submit", Array("--b\r\nContent-Disposition: form-data; name=\"command\"\r\n\r\ntrue".utf8),
                                     contentType: "multipart/form-data; boundary=b")),
        ("multipart part without name", post("/submit", Array("--b\r\nX: y\r\n\r\ntrue\r\n--b--".utf8),
                                             contentType: "multipart/form-data; boundary=b")),
    ]

    @Test func malformedRequestsAreRefusedAndTheServerStillAnswers() throws {
        let server = try ServerProcess()
        for (what, bytes) in RobustnessIntegrationTests.requests {
            let connection = try RawConnection(port: server.port)
            connection.send(bytes)
            let status = connection.status()
            // Either a 4xx reply or a closed connection; never a crash, a 5xx or a hang.
            #expect(status == nil || (400..<500).contains(status!) || status == 200, "\(what): \(String(describing: status))")
            #expect(server.isRunning, "\(what) crashed the server")
        }
        #expect(server.curl("/help").status == 200)
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1, "a malformed request created a job")
        let ok = server.curl("/submit", data: "command=echo still here")
        #expect(ok.lines.dropFirst().first == "still here", "\(ok)")
    }

    @Test func slowAndHalfSentRequestsDoNotBlockOthers() throws {
        let server = try ServerProcess()
        // A half-sent body, left open.
        let halfBody = try RawConnection(port: server.port)
        halfBody.send("POST /submit HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ncommand=tou")
        // A slow-loris: the headers one byte at a time, other clients served in between.
        let slow = try RawConnection(port: server.port)
        let request = Array("GET /help?topic=kill HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        for (i, byte) in request.enumerated() {
            #expect(slow.send([byte]), "server closed the slow connection at byte \(i)")
            if i % 20 == 0 {
                let started = Date()
                #expect(server.curl("/help", timeout: 10).status == 200)
                #expect(Date().timeIntervalSince(started) < 5)
            } else {
                usleep(5_000)
            }
        }
        let reply = slow.readAll()
        #expect(reply.hasPrefix("HTTP/1.1 200") && reply.contains("jobid"), "\(reply)")
        // The half-sent submit created nothing, and its client leaving changes nothing.
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1)
        withExtendedLifetime(halfBody) {}
        #expect(server.curl("/help").status == 200)
    }
}
