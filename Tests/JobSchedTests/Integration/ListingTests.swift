import Foundation
import Glibc
import Testing

/// `/jobinfo` of any size is made and sent a slice at a time: a slow reader
/// costs the server one slice, and everyone else is served meanwhile.
@Suite("Integration: big listings in slices", .serialized)
struct ListingIntegrationTests {
    static let count = 20_000

    @Test func aSlowReaderHoldsOneSliceAndOthersAreServed() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        // Once, so that what a listing needs besides its reply is counted in the start.
        #expect(server.curl("/jobinfo", data: "fields=jobid&limit=10").status == 200)
        // About 24 MB of JSON, to a client that reads nothing.
        let (held, reader) = try server.memoryHeld(byUnreadReplyTo: "GET /jobinfo?format=json HTTP/1.1\r\n")
        #expect(held < 8 * 1024, "the server holds \(held) KiB for one reader")

        // A reader that leaves mid-reply frees it; the next is served whole.
        do {
            let leaving = try RawConnection(port: server.port, receiveBuffer: 4096)
            #expect(leaving.send("GET /jobinfo?all=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            #expect(leaving.read(atLeast: 200_000) >= 200_000)
        }
        let whole = server.curl("/jobinfo", data: "format=json")
        let jobs = try #require((try JSONSerialization.jsonObject(with: Data(whole.body.utf8)) as? [String: Any])?["jobs"] as? [[String: Any]])
        #expect(jobs.compactMap { $0["jobid"] as? Int } == Array(1...Self.count))
        let head = server.curl("/jobinfo", extra: ["-o", "/dev/null", "-D", "-"]).body.lowercased()
        #expect(head.contains("transfer-encoding: chunked"), "\(head)")
        withExtendedLifetime(reader) {}
    }

    /// A big request refused after it was read (a batch whose last line is
    /// bad) takes memory while it is read; what it freed goes back to the
    /// system within seconds, not kept by malloc for good.
    @Test func memoryABigRequestFreedIsGivenBack() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        #expect(server.curl("/jobinfo", data: "fields=jobid&limit=10").status == 200)
        let before = try HTTPProtocolIntegrationTests.residentKiB(server.pid)
        let body = server.directory.file("bad-batch")
        try (String(repeating: "echo " + String(repeating: "y", count: 1000) + "\n", count: 40_000) + "a\u{0}b\n")
            .write(toFile: body, atomically: true, encoding: .utf8)
        let refused = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", "@\(body)"])
        #expect(refused.status == 400 && refused.body.contains("NUL"), "\(refused)")
        let peak = try HTTPProtocolIntegrationTests.residentKiB(server.pid)
        #expect(peak > before + 12 * 1024, "\(before) -> \(peak) KiB")
        #expect(eventually(timeout: 40) { ((try? HTTPProtocolIntegrationTests.residentKiB(server.pid)) ?? .max) < before + 8 * 1024 },
                "RSS stayed at \((try? HTTPProtocolIntegrationTests.residentKiB(server.pid)) ?? 0) KiB after \(before) before the request")
    }

    /// The slices make the listing one query would: every format, both
    /// orders, a limit, an id list, with jobs that come and go meanwhile.
    @Test func slicesMakeTheWholeListing() throws {
        let server = try ServerProcess.withBigQueue(Self.count)
        let text = server.curl("/jobinfo", data: "fields=jobid,status")
        #expect(text.lines.count == Self.count + 1 && text.lines.first == "jobid\tstatus")
        #expect(text.lines.dropFirst().map { $0.split(separator: "\t")[0] }.compactMap { Int($0) } == Array(1...Self.count))
        let descending = server.curl("/jobinfo", data: "fields=jobid&sort=-jobid&limit=15000")
        #expect(descending.lines.dropFirst().compactMap { Int($0) } == Array((Self.count - 14_999...Self.count).reversed()))
        let ids = (1...Self.count).filter { $0 % 7 == 0 } + [7]
        let listed = server.curl("/jobinfo", data: "fields=jobid&jobid=" + ids.map(String.init).joined(separator: ","))
        let inOrder = listed.lines.dropFirst().compactMap { Int($0) } == (1...Self.count).filter { $0 % 7 == 0 }
        #expect(inOrder, "\(listed.lines.count) lines")
        // One id of no job among them: the others listed, then a line that names it, as a 404.
        let unknown = server.curl("/jobinfo", data: "fields=jobid&jobid=" + (ids + [Self.count + 5]).map(String.init).joined(separator: ","))
        #expect(unknown.status == 404 && unknown.lines.last == "Error: unknown job id \(Self.count + 5)", "\(unknown.status)")
        #expect(unknown.lines.count == listed.lines.count + 1)
        let records = server.curl("/jobinfo", data: "view=record&fields=jobid,name")
        #expect(records.body.components(separatedBy: "\n\n").count == Self.count)
        let table = server.curl("/jobinfo", data: "view=table&fields=jobid,status")
        #expect(table.lines.count == Self.count + 1 && table.lines.first?.hasPrefix("ID") == true)
    }
}
