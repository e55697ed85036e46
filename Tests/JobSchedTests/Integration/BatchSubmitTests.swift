import Foundation
import Testing

@Suite("Integration: /health and batch submit")
struct BatchSubmitIntegrationTests {
    @Test func healthAnswersOkAndIsListed() throws {
        let server = try ServerProcess()
        let text = server.curl("/health")
        #expect(text.status == 200 && text.body == "ok\n", "\(text)")
        #expect(server.curl("/health?format=json").body == "{\"status\": \"ok\"}\n")
        #expect(server.curl("/help").body.contains("/health\t"))
    }

    /// Sends `body` as is (`curl --data-binary @file`) to `/submit?QUERY`.
    private func batch(_ server: ServerProcess, _ body: [UInt8], query: String) throws -> CurlResult {
        let file = server.directory.file("batch-\(UUID().uuidString.prefix(8))")
        _ = FileManager.default.createFile(atPath: file, contents: Data(body))
        return Curl.run(["--data-binary", "@\(file)", "\(server.base)/submit?\(query)"])
    }

    private func count(_ server: ServerProcess, where condition: String) throws -> String {
        try sqlite3(server.databasePath, "SELECT count(*) FROM jobs WHERE \(condition)")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func idsInOrderAllCommittedBeforeTheReply() throws {
        // One slot held, so the batch stays queued while it is inspected.
        let server = try ServerProcess(["-j", "1"])
        let gate = try server.makeGate()
        let blocker = try server.submitAsync("cat \(gate.path)")
        let commands = (1...300).map { "echo \($0) > out-\($0).txt" }
        let result = try batch(server, Array((commands.joined(separator: "\n") + "\n").utf8),
                               query: "lines=1&sync=0&group=batch&name=b")
        #expect(result.status == 200, "\(result)")
        let ids = result.lines.compactMap(Int64.init)
        #expect(ids.count == 300 && ids == Array((blocker + 1)...(blocker + 300)))
        // Another connection to the database sees every row at once: committed.
        #expect(try count(server, where: "grp = 'batch' AND name = 'b' AND status = 'queued'") == "300")
        #expect(try server.job(ids[41])["command"] as? String == commands[41])
        try gate.open("go")
        #expect(server.waitFor(ids.last!).hasSuffix("success returncode=0\n"))
        #expect(try String(contentsOfFile: server.directory.file("out-300.txt"), encoding: .utf8) == "300\n")
        let json = try batch(server, Array("true\ntrue\n".utf8), query: "lines=1&sync=0&format=json")
        #expect(json.body == "{\"jobids\": [\(ids.last! + 1), \(ids.last! + 2)]}\n")
    }

    @Test func badLineRejectsTheWholeBatch() throws {
        let server = try ServerProcess()
        let body = Array("echo 1\necho 2\n\necho ".utf8) + [0xC3, 0x28] + Array("\necho 5\n".utf8)
        let result = try batch(server, body, query: "lines=1&sync=0")
        #expect(result.status == 400 && result.body == "Error: line 4: not valid UTF-8\n", "\(result)")
        #expect(try count(server, where: "1") == "0")
        #expect(server.curl("/jobinfo?all=1").lines.count == 1)
    }

    @Test func linesNeedsSyncZeroAndTheQueryString() throws {
        let server = try ServerProcess()
        let sync = try batch(server, Array("true\n".utf8), query: "lines=1")
        #expect(sync.status == 400 && sync.body.contains("lines=1 needs sync=0"), "\(sync)")
        let sync1 = try batch(server, Array("true\n".utf8), query: "lines=1&sync=1")
        #expect(sync1.status == 400, "\(sync1)")
        let inBody = server.curl("/submit", data: "lines=1&sync=0&command=true")
        #expect(inBody.status == 400 && inBody.body.contains("query string"), "\(inBody)")
        let empty = try batch(server, Array("\n\n".utf8), query: "lines=1&sync=0")
        #expect(empty.status == 400, "\(empty)")
        #expect(try count(server, where: "1") == "0")
    }
}
