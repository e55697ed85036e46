import Foundation
import Glibc
import Testing

@Suite("Integration: limits")
struct LimitsIntegrationTests {
    @Test func fullQueueRefusesSubmitsWith503AndCreatesNoJob() throws {
        let server = try ServerProcess(["-j", "1", "--max-queued", "1"])
        let gate = try server.makeGate()
        let running = try server.submitAsync("cat \(gate.path)")
        let queued = try server.submitAsync("true")
        let refused = server.curl("/submit", data: "command=true&sync=0")
        #expect(refused.status == 503 && refused.body.contains("queue is full"), "\(refused)")
        #expect(server.curl("/submit", data: "command=true").status == 503)
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 3)
        try gate.open("go")
        server.waitFor(running, queued)
        let accepted = try server.submitAsync("true")
        #expect(accepted == queued + 1)
    }

    /// Over-size bodies get 413 (before the body is sent, with Expect: 100-continue);
    /// over-size headers get 431, naming the limit. Neither creates a job, and the server goes on.
    @Test func oversizeBodiesAndHeadersAreRefused() throws {
        let server = try ServerProcess()
        let big = server.directory.file("big")
        let line = Data("true\n".utf8)
        var body = Data()
        body.reserveCapacity(65 << 20)
        while body.count <= 64 << 20 { body.append(line) }
        _ = FileManager.default.createFile(atPath: big, contents: body)
        let tooLarge = Curl.run(["--data-binary", "@\(big)", "\(server.base)/submit?lines=1&sync=0"])
        #expect(tooLarge.status == 413, "\(tooLarge.status)")
        let header = Curl.run(["-H", "X-Padding: " + String(repeating: "x", count: 70 * 1024), "\(server.base)/help"])
        #expect(header.status == 431 && header.body.contains("64 KiB"), "\(header)")
        // Just under the limit is served; many short lines count their line ends too.
        #expect(Curl.run(["-H", "X-Padding: " + String(repeating: "x", count: 60 * 1024), "\(server.base)/help"]).status == 200)
        let lines = (0..<9000).flatMap { ["-H", "X-\($0): y"] }
        #expect(Curl.run(lines + ["\(server.base)/help"]).status == 431)
        #expect(server.curl("/jobinfo", data: "all=1").lines.count == 1)
        #expect(server.curl("/health").body == "ok\n")
    }

    @Test func connectionsBeyondTheBoundWaitUntilOneCloses() throws {
        let server = try ServerProcess(["--max-connections", "3"])
        var idle = try (0..<3).map { _ in try RawConnection(port: server.port) }
        let waiting = try RawConnection(port: server.port)
        waiting.send("GET /help HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        // Not served while three connections are open: it waits in the backlog.
        #expect(waiting.status(timeout: 2) == nil)
        idle.removeFirst()
        #expect(waiting.status(timeout: 30) == 200)
        idle.removeAll()
        #expect(server.curl("/help").status == 200)
    }

    /// With room for one connection, each next request is served only if the
    /// server counted out the client that left before it.
    @Test func streamsAndHeldWaitsAreCountedOutWhenTheirClientsLeave() throws {
        let server = try ServerProcess(["--max-connections", "1"])
        let sockets = server.socketCount
        let stream = try StreamingCurl(["--data", "command=sleep 300", "\(server.base)/submit"])
        let id = try #require(stream.nextLine().flatMap { Int64($0) })
        stream.killClient()
        #expect(server.waitFor(id).hasPrefix("job \(id) killed"))
        let gate = try server.makeGate()
        let blocked = try server.submitAsync("cat \(gate.path)")
        let held = try StreamingCurl(["--data", "jobid=\(blocked)", "\(server.base)/wait"])
        #expect(eventually { server.socketCount == sockets + 1 }, "the wait was never accepted")
        held.killClient()
        let next = try StreamingCurl(["--data", "jobid=\(blocked)", "\(server.base)/wait"])
        try gate.open("go")
        #expect(next.nextLine() == "job \(blocked) success returncode=0")
    }

    /// The server raises its soft limit to the hard limit; its jobs get the
    /// limit it was started with, however many descriptors it holds.
    @Test func descriptorSoftLimitIsRaisedForTheServerNotForJobs() throws {
        let server = try ServerProcess([], launcher: ["/bin/bash", "-c", "ulimit -Sn 64; exec \"$0\" \"$@\""])
        let limits = try String(contentsOfFile: "/proc/\(server.pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count == 2 && numbers[0] == numbers[1] && numbers[0] > 64, "\(line)")

        // Held connections push the server's descriptors past the job's limit.
        let held = try (0..<80).map { _ in try RawConnection(port: server.port) }
        #expect(eventually { server.openDescriptors > 80 })
        let reply = server.curl("/submit", data: "command=ulimit -Sn; ls /proc/self/fd | wc -l")
        #expect(reply.status == 200)
        #expect(reply.body.split(separator: "\n").dropFirst().prefix(2) == ["64", "4"], "\(reply.body)")
        withExtendedLifetime(held) {}
    }

    /// Under `ulimit -n 40` the server runs out of descriptors: it must neither
    /// crash nor spin, and must answer again once connections are closed.
    @Test func runningOutOfDescriptorsPausesAcceptingAndRecovers() throws {
        let server = try ServerProcess([], launcher: ["/bin/bash", "-c", "ulimit -n 40; exec \"$0\" \"$@\""])
        let limits = try String(contentsOfFile: "/proc/\(server.pid)/limits", encoding: .utf8)
        #expect(limits.split(separator: "\n").contains { $0.hasPrefix("Max open files") && $0.contains(" 40 ") })
        var connections = try (0..<60).map { _ in try RawConnection(port: server.port) }
        let cpuBefore = cpuSeconds(of: server.pid)
        // Accepted into the kernel's backlog, but the server has no descriptor for it.
        let starved = server.curl("/help", timeout: 3)
        #expect(starved.status == 0, "\(starved)")
        let cpuUsed = cpuSeconds(of: server.pid) - cpuBefore
        #expect(cpuUsed < 1.0, "the server spun: \(cpuUsed) s of CPU in 3 s")
        #expect(server.isRunning)
        connections.removeAll()
        let recovered = server.curl("/help", timeout: 30)
        #expect(recovered.status == 200, "\(recovered)")
        #expect(try server.submitAsync("true") > 0)
    }

    private func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After "(comm)": fields 12 and 13 (0-based from state) are utime and stime in clock ticks.
        let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
