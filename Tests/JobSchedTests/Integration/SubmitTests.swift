import Foundation
import Glibc
import Testing

@Suite("Integration: submitting and running jobs")
struct SubmitIntegrationTests {
    /// Durations take units wherever a duration is taken, and at= takes +DURATION.
    @Test func durationsTakeUnits() throws {
        let server = try ServerProcess(["--kill-grace", "1s"])
        let delayed = try server.submitAsync("true", extra: "&delay=10m&timeout=1h30m&retry_delay=2s")
        let job = try server.job(delayed)
        #expect(job["status"] as? String == "queued" && job["notbefore"] is String)
        #expect(job["timeout"] as? Double == 5400 && job["retry_delay"] as? Double == 2)
        let later = try server.submitAsync("true", extra: "&at=%2B2h")
        #expect(try server.job(later)["notbefore"] is String && server.job(later)["status"] as? String == "queued")
        let bad = server.curl("/submit", data: "command=true&sync=0&delay=soon")
        #expect(bad.status == 400 && bad.body == "Error: delay must be a duration such as 90, 90s, 10m, 1h30m or 2d, not 'soon'\n")
        #expect(server.curl("/wait", data: "jobid=\(delayed)&timeout=1s").body == "job \(delayed) queued returncode=-\n")
    }

    @Test func syncOutputStreamsAsItIsProduced() throws {
        let server = try ServerProcess()
        let gate = try server.makeGate()
        // The job prints, then blocks on the fifo until the test opens it.
        let client = try StreamingCurl(["--data-urlencode", "command=echo first; echo to-stderr >&2; cat \(gate.path); printf 'no newline'",
                                        "\(server.base)/submit"])
        let id = try #require(Int64(client.nextLine() ?? ""))
        #expect(client.nextLine() == "first")
        #expect(client.nextLine() == "to-stderr")
        // The output arrived while the job was still running.
        #expect(try server.job(id)["status"] as? String == "running")
        try gate.open("go")
        #expect(client.remainingLines() == ["go", "no newline", "jobsched: job \(id) success returncode=0"])
    }

    @Test func asyncSubmitRepliesWithTheIdOnly() throws {
        let server = try ServerProcess()
        let result = server.curl("/submit", data: "command=echo hidden&sync=0&name=n1&group=g1")
        #expect(result.status == 200)
        let id = try #require(Int64(result.body.dropLast()))
        #expect(result.body == "\(id)\n")
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
        let json = server.curl("/submit", data: "command=true&sync=0&format=json")
        #expect(json.body.hasPrefix("{\"jobid\": ") && json.body.hasSuffix("}\n"))
    }

    @Test func exitCodesAndSignals() throws {
        let server = try ServerProcess()
        let exit3 = server.curl("/submit", data: "command=exit 3")
        #expect(exit3.lines.last?.hasSuffix("success returncode=3") == true)
        // Killed from outside jobsched: the job ended by itself, returncode -9.
        let selfKill = server.curl("/submit", data: "command=kill -9 $$")
        #expect(selfKill.lines.last?.hasSuffix("success returncode=-9") == true)
    }

    @Test func outlogAndErrlogFiles() throws {
        let server = try ServerProcess()
        let out = server.directory.file("out.txt")
        try "old content that must be truncated\n".write(toFile: out, atomically: true, encoding: .utf8)
        // Relative errlog: relative to the server's working directory.
        let result = Curl.run(["--data-urlencode", "command=echo to-out; echo to-err >&2", "--data", "outlog=\(out)&errlog=err.txt",
                               "\(server.base)/submit"])
        #expect(result.lines.count == 2)
        #expect(result.lines.last?.hasSuffix("success returncode=0") == true)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "to-out\n")
        #expect(try String(contentsOfFile: server.directory.file("err.txt"), encoding: .utf8) == "to-err\n")
        // With only outlog, stderr still streams to curl.
        let mixed = Curl.run(["--data-urlencode", "command=echo to-out; echo to-err >&2", "--data", "outlog=\(out)", "\(server.base)/submit"])
        #expect(mixed.lines.dropFirst().first == "to-err")
    }

    @Test func unopenableLogMakesTheJobFailed() throws {
        let server = try ServerProcess()
        let result = server.curl("/submit", data: "command=echo never&errlog=/nonexistent-dir/err.txt")
        #expect(result.status == 200)
        let id = try #require(Int64(result.lines.first ?? ""))
        #expect(result.lines.last == "jobsched: job \(id) failed returncode=-")
        let job = try server.job(id)
        #expect(job["status"] as? String == "failed")
        #expect(job["returncode"] is NSNull)
        #expect((job["msg"] as? String)?.contains("/nonexistent-dir/err.txt") == true)
    }

    @Test func jobsGetNoServerDescriptorsAndTheirOwnProcessGroup() throws {
        let server = try ServerProcess()
        let fds = server.curl("/submit", data: "command=ls /proc/self/fd")
        // ls itself opens one descriptor for the directory it lists.
        #expect(fds.lines.dropFirst().dropLast().count <= 4)
        let pgid = server.curl("/submit", data: "command=ps -o pgid= -p $$; echo $$")
        let numbers = pgid.lines.dropFirst().prefix(2).map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(numbers.count == 2 && numbers[0] == numbers[1])
        let stdin = server.curl("/submit", data: "command=cat; echo eof")
        #expect(stdin.lines.dropFirst().first == "eof")
    }
}
