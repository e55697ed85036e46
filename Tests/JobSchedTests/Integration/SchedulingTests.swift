import Foundation
import Glibc
import Testing

@Suite("Integration: the -j limit and the queue")
struct SchedulingIntegrationTests {
    /// Each job appends "start" and "end" lines with nanosecond times to one file;
    /// the largest overlap must never exceed -j, sync jobs included.
    @Test func runningJobsNeverExceedTheLimit() throws {
        let server = try ServerProcess(["-j", "2"])
        let log = server.directory.appendingPathComponent("spans").path
        let body = "echo \"$(date +%s%N) +\" >> \(log); sleep 0.3; echo \"$(date +%s%N) -\" >> \(log)"
        var ids = try (0..<4).map { _ in try server.submitAsync(body) }
        let syncClients = try (0..<3).map { _ in
            try StreamingCurl(["--data-urlencode", "command=\(body)", "\(server.base)/submit"])
        }
        ids += syncClients.compactMap { Int64($0.nextLine() ?? "") }
        ids += try (0..<2).map { _ in try server.submitAsync(body) }
        #expect(ids.count == 9)
        for client in syncClients { #expect(client.remainingLines().last?.hasSuffix("success returncode=0") == true) }
        for id in ids { server.waitFor(id) }

        var events: [(time: Int, delta: Int)] = []
        for line in try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ")
            let delta = parts[1] == "+" ? 1 : -1
            events.append((Int(parts[0]) ?? 0, delta))
        }
        // At equal times, count ends before starts.
        events.sort { ($0.time, $0.delta) < ($1.time, $1.delta) }
        #expect(events.count == 18)
        var running = 0, most = 0
        for (_, delta) in events {
            running += delta
            most = max(most, running)
        }
        #expect(most == 2)
    }

    @Test func queueIsFirstInFirstOut() throws {
        let server = try ServerProcess(["-j", "1"])
        let order = server.directory.appendingPathComponent("order").path
        let ids = try (1...5).map { try server.submitAsync("echo \($0) >> \(order)") }
        server.waitFor(ids.last!)
        for id in ids { server.waitFor(id) }
        #expect(try String(contentsOfFile: order, encoding: .utf8) == "1\n2\n3\n4\n5\n")
        let started = try ids.map { try server.job($0)["started"] as? String ?? "" }
        #expect(started == started.sorted())
    }
}
