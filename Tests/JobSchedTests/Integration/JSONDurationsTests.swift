import Foundation
import Testing

/// Durations (`timeout`, `retry_delay`, `runtime`, `cpu_user`, `cpu_system`) are JSON numbers of
/// seconds wherever a job goes out as JSON, so that `jq 'select(.runtime > 1)'` and
/// `sort_by(.runtime)` compare numbers, not strings.
@Suite("Integration: durations in JSON")
struct JSONDurationsIntegrationTests {
    private static let durationKeys = ["timeout", "retry_delay", "runtime", "cpu_user", "cpu_system"]

    /// The raw text of every duration value in a JSON reply: each must be `null` or a plain
    /// decimal to the millisecond (no quotes, no float noise, no exponent).
    private func checkRawDurations(_ body: String, count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let pair = try Regex(#""(timeout|retry_delay|runtime|cpu_user|cpu_system)": ([^,}]*)"#, as: (Substring, Substring, Substring).self)
        let number = try Regex(#"null|-?[0-9]+(\.[0-9]{1,3})?"#)
        let values = body.matches(of: pair).map(\.output.2)
        #expect(values.count == count, "\(body)", sourceLocation: sourceLocation)
        for value in values {
            #expect(value.wholeMatch(of: number) != nil, "\(value) in \(body)", sourceLocation: sourceLocation)
        }
    }

    private func jobs(_ body: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        return try #require(object?["jobs"] as? [[String: Any]], "\(body)")
    }

    /// Each duration of a parsed job is a number or null, never a string.
    private func checkParsedDurations(_ job: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        for key in Self.durationKeys {
            #expect(job[key] is NSNumber || job[key] is NSNull, "\(key): \(String(describing: job[key]))", sourceLocation: sourceLocation)
        }
    }

    @Test func durationsAreNumbersInJobinfoWaitEventsAndEdit() throws {
        let server = try ServerProcess(["-j", "2"])
        let stream = try EventStreamClient(server)
        #expect(stream.waitUntilConnected())
        let short = try server.submitAsync("sleep 0.2", extra: "&timeout=1h30m&retry_delay=0.25")
        let long = try server.submitAsync("sleep 1.2")
        let queued = try server.submitAsync("true", extra: "&delay=1h")

        let waited = server.curl("/wait", data: "jobid=\(short),\(long)&format=json")
        #expect(waited.status == 200, "\(waited)")
        try checkRawDurations(waited.body, count: 10)
        let waitedJobs = try jobs(waited.body)
        waitedJobs.forEach { checkParsedDurations($0) }
        #expect(waitedJobs.first?["timeout"] as? Double == 5400 && waitedJobs.first?["retry_delay"] as? Double == 0.25)

        // What the issue's jq filters did with strings: select(.runtime > 1), sort_by(.runtime), add.
        let listed = server.curl("/jobinfo", data: "all=1&format=json").body
        try checkRawDurations(listed, count: 15)
        let all = try jobs(listed)
        all.forEach { checkParsedDurations($0) }
        let runtimes = all.compactMap { job in (job["runtime"] as? Double).map { (id: job["jobid"] as? Int, runtime: $0) } }
        #expect(runtimes.count == 2 && runtimes.filter { $0.runtime > 1 }.map(\.id) == [Int(long)], "\(runtimes)")
        #expect(runtimes.sorted { $0.runtime < $1.runtime }.map(\.id) == [Int(short), Int(long)])
        #expect(runtimes.allSatisfy { $0.runtime >= 0.2 && $0.runtime < 60 }, "\(runtimes)")
        #expect(try #require(all.first { $0["jobid"] as? Int == Int(short) }?["cpu_user"] as? Double) >= 0)

        let edited = server.curl("/edit", data: "jobid=\(queued)&timeout=2.5&retry_delay=1.5&format=json")
        #expect(edited.status == 200, "\(edited)")
        try checkRawDurations(edited.body, count: 5)
        let editedJob = try #require((try JSONSerialization.jsonObject(with: Data(edited.body.utf8)) as? [String: Any])?["job"] as? [String: Any])
        #expect(editedJob["timeout"] as? Double == 2.5 && editedJob["retry_delay"] as? Double == 1.5, "\(edited)")
        #expect(editedJob["runtime"] is NSNull)

        // Every job event carries the job with numbers too (submitted, started, finished, edited).
        let events = stream.events(until: { $0.name == "edited" })
        let jobEvents = events.filter { $0.jobID != nil }
        #expect(jobEvents.map(\.name).filter { $0 == "finished" }.count == 2, "\(events.map(\.summary))")
        jobEvents.forEach { checkParsedDurations($0.data) }
        let finishedShort = try #require(jobEvents.first { $0.name == "finished" && $0.jobID == short })
        #expect(finishedShort.data["timeout"] as? Double == 5400 && (finishedShort.data["runtime"] as? Double ?? 0) >= 0.2)
        #expect(events.last?.data["retry_delay"] as? Double == 1.5)

        // The client passes the server's JSON on as it is.
        let shown = try ClientProcess.run(["show", "--json", String(short)], server: server)
        try checkRawDurations(shown.stdout, count: 5)
        #expect(try jobs(shown.stdout).first?["retry_delay"] as? Double == 0.25, "\(shown)")
    }
}
