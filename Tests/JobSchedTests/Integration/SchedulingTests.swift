import Foundation
import Glibc
import Testing

@Suite("Integration: the -j limit and the queue")
struct SchedulingIntegrationTests {
    /// Sync and async jobs together never run more than -j at once.
    @Test func runningJobsNeverExceedTheLimit() throws {
        let server = try ServerProcess(["-j", "2"])
        let spans = SpanLog(directory: server.directory)
        var ids = try (0..<4).map { _ in try server.submitAsync(spans.command()) }
        let syncClients = try (0..<3).map { _ in
            try StreamingCurl(["--data-urlencode", "command=\(spans.command())", "\(server.base)/submit"])
        }
        ids += syncClients.compactMap { Int64($0.nextLine() ?? "") }
        ids += try (0..<2).map { _ in try server.submitAsync(spans.command()) }
        #expect(ids.count == 9)
        for client in syncClients { #expect(client.remainingLines().last?.hasSuffix("success returncode=0") == true) }
        for id in ids { server.waitFor(id) }
        #expect(try spans.mostAtOnce() == 2)
        #expect(try spans.count() == 9)
    }

    @Test func queueIsFirstInFirstOut() throws {
        let server = try ServerProcess(["-j", "1"])
        let order = server.directory.file("order")
        let ids = try (1...5).map { try server.submitAsync("echo \($0) >> \(order)") }
        server.waitFor(ids.last!)
        for id in ids { server.waitFor(id) }
        #expect(try String(contentsOfFile: order, encoding: .utf8) == "1\n2\n3\n4\n5\n")
        let started = try ids.map { try server.job($0)["started"] as? String ?? "" }
        #expect(started == started.sorted())
    }
}
