import Foundation
import Glibc
import Testing

/// A server started under a file-size limit (`ulimit -f`, `prlimit --fsize`):
/// a write past it fails (EFBIG) instead of killing the server with SIGXFSZ.
@Suite("Integration: a file-size limit",
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit"))
struct FileSizeLimitIntegrationTests {
    static let limit = 2_000_000

    @Test func spoolWritePastTheLimitLosesOutputNotTheServer() throws {
        let server = try ServerProcess(launcher: ["/usr/bin/prlimit", "--fsize=\(FileSizeLimitIntegrationTests.limit)"])
        let id = try server.submitAsync("head -c 3000000 /dev/zero | tr '\\0' a; echo; echo END")
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
        #expect(server.isRunning)
        let job = try server.job(id)
        #expect((job["msg"] as? String)?.hasPrefix("output lost: ") == true, "\(job)")
        #expect((job["msg"] as? String)?.contains("file-size limit") == true, "\(job)")
        let output = server.curl("/output?jobid=\(id)").body
        #expect(output.utf8.count <= FileSizeLimitIntegrationTests.limit + 500)
        #expect(output.hasSuffix("bytes not kept (file too large: the server's file-size limit (ulimit -f) was reached)\n"),
                "\(output.suffix(200))")
        #expect(server.log.contains("job \(id): output lost (file too large"))
        // The server goes on: a new job's output is kept whole.
        let next = try server.submitAsync("echo fine")
        server.waitFor(next)
        #expect(server.curl("/output?jobid=\(next)").body == "fine\n")
    }

    @Test func databaseWritePastTheLimitIs503() throws {
        let server = try ServerProcess(launcher: ["/usr/bin/prlimit", "--fsize=\(FileSizeLimitIntegrationTests.limit)"])
        let file = server.directory.file("batch")
        try String(repeating: "echo \(String(repeating: "x", count: 100))\n", count: 20_000)
            .write(toFile: file, atomically: true, encoding: .utf8)
        let batch = Curl.run(["--data-binary", "@\(file)", "\(server.base)/submit?lines=1&sync=0"])
        #expect(batch.status == 503, "\(batch.status) \(batch.body.prefix(200))")
        #expect(batch.body.hasPrefix("Error: database: ") && batch.body.contains("File too large"), "\(batch.body.prefix(200))")
        #expect(server.isRunning)
        #expect(server.curl("/health").body == "ok\n")
        // None of the batch exists; small submits still work.
        #expect(try sqlite3(server.databasePath, "SELECT count(*) FROM jobs") == "0\n")
        let id = try server.submitAsync("true")
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
    }
}
