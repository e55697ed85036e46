import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

/// The newer request parameters: submit's scheduling options, clean, output,
/// jobinfo's sort and limit, and wait's group and fail.
@Suite("Unit: request options")
struct RequestOptionsUnitTests {
    private static func badRequest(_ message: String) -> RequestError { RequestError(status: 400, message: message) }

    private static func submit(_ pairs: [(String, String)]) throws(RequestError) -> SubmitRequest {
        try SubmitRequest(Parameters([("command", "true")] + pairs, for: .submit))
    }

    // MARK: SubmitRequest

    @Test func submitDefaultsForTheSchedulingOptions() throws {
        let r = try Self.submit([])
        #expect(r.priority == 0 && r.after == [] && r.afterAny == [])
        #expect(r.delay == nil && r.at == nil && r.timeout == nil)
        #expect(r.retries == 0 && r.retryDelay == 0)
        #expect(r.cwd == nil && r.env == [] && !r.unique)
    }

    @Test(arguments: [
        ("0", 0), ("5", 5), ("-5", -5), ("1000000", 1_000_000), ("-1000000", -1_000_000), ("+3", 3), ("", 0),
    ] as [(String, Int)])
    func priority(value: String, priority: Int) throws {
        #expect(try Self.submit([("priority", value)]).priority == priority)
    }

    @Test(arguments: ["1000001", "-1000001", "1.5", "abc", "1e3", " 1", "0x10", "9223372036854775808"])
    func invalidPriority(value: String) {
        #expect(throws: Self.badRequest("priority must be an integer from -1000000 to 1000000, not '\(value)'")) {
            try Self.submit([("priority", value)])
        }
    }

    @Test func afterAndAfterAnyLists() throws {
        let r = try Self.submit([("after", "3, 1,,2"), ("afterany", "7")])
        #expect(r.after == [3, 1, 2] && r.afterAny == [7])
    }

    @Test(arguments: [("after", "0"), ("after", "1,x"), ("afterany", "-2"), ("afterany", "1.5")])
    func invalidDependencyIDs(name: String, value: String) {
        let bad = value.split(separator: ",").last!
        #expect(throws: Self.badRequest("invalid job id '\(bad)' in \(name)")) { try Self.submit([(name, value)]) }
    }

    @Test func delayOrAtButNotBoth() throws {
        let delayed = try Self.submit([("delay", "2.5")])
        #expect(delayed.delay == 2.5 && delayed.at == nil)
        let timed = try Self.submit([("at", "2026-11-29T18:00:00Z")])
        #expect(timed.at == 1_795_975_200 && timed.delay == nil)
        #expect(throws: Self.badRequest("give delay or at, not both")) {
            try Self.submit([("delay", "5"), ("at", "2026-11-29T18:00:00Z")])
        }
        // An empty value is absent, so it does not conflict.
        #expect(try Self.submit([("delay", "5"), ("at", "")]).delay == 5)
    }

    @Test(arguments: [
        ("2026-11-29T18:00:00Z", 1_795_975_200), ("2026-11-29 20:00:00+02:00", 1_795_975_200),
        ("2026-11-29T18:00:00", 1_795_975_200), ("2026-11-29T18:00:00.5Z", 1_795_975_200.5),
    ] as [(String, Double)])
    func atTimes(value: String, at: Double) throws {
        #expect(try Self.submit([("at", value)]).at == at)
    }

    @Test(arguments: ["tomorrow", "2026-11-29", "2026-13-01T00:00:00Z", "2026-11-29T18:00:00Zx", "1795975200"])
    func invalidAt(value: String) {
        #expect(throws: Self.badRequest("at must be an ISO-8601 time such as 2026-11-29T18:00:00Z, or +DURATION such as +10m, not '\(value)'")) {
            try Self.submit([("at", value)])
        }
    }

    /// Durations with units, and at=+DURATION as a delay from now.
    @Test func durationsWithUnits() throws {
        #expect(try Self.submit([("delay", "10m")]).delay == 600)
        #expect(try Self.submit([("timeout", "1h30m")]).timeout == 5400)
        #expect(try Self.submit([("retry_delay", "2s")]).retryDelay == 2)
        let relative = try Self.submit([("at", "+1h")])
        #expect(relative.delay == 3600 && relative.at == nil)
        #expect(throws: Self.badRequest("give delay or at, not both")) { try Self.submit([("at", "+1h"), ("delay", "5")]) }
        #expect(throws: Self.badRequest("at must be an ISO-8601 time such as 2026-11-29T18:00:00Z, or +DURATION such as +10m, not '+soon'")) {
            try Self.submit([("at", "+soon")])
        }
    }

    @Test(arguments: ["-1", "abc", "1e3", "inf"])
    func invalidDelay(value: String) {
        #expect(throws: Self.badRequest("delay must be a duration such as 90, 90s, 10m, 1h30m or 2d, not '\(value)'")) { try Self.submit([("delay", value)]) }
    }

    @Test(arguments: [("0.5", 0.5), ("30", 30), ("1000000000", 1e9)] as [(String, Double)])
    func timeouts(value: String, timeout: Double) throws {
        #expect(try Self.submit([("timeout", value)]).timeout == timeout)
    }

    @Test(arguments: ["0", "0.0", "0.000", "00"])
    func zeroTimeoutIsRejected(value: String) {
        #expect(throws: Self.badRequest("timeout must be more than 0 seconds")) { try Self.submit([("timeout", value)]) }
    }

    @Test(arguments: ["-1", "10x", "1e10", "1000000001"])
    func invalidTimeout(value: String) {
        #expect(throws: Self.badRequest("timeout must be a duration such as 90, 90s, 10m, 1h30m or 2d, not '\(value)'")) { try Self.submit([("timeout", value)]) }
    }

    @Test(arguments: [("0", 0), ("1", 1), ("1000", 1000)] as [(String, Int)])
    func retries(value: String, retries: Int) throws {
        #expect(try Self.submit([("retries", value)]).retries == retries)
    }

    @Test(arguments: ["-1", "1001", "2.5", "many"])
    func invalidRetries(value: String) {
        #expect(throws: Self.badRequest("retries must be an integer from 0 to 1000, not '\(value)'")) {
            try Self.submit([("retries", value)])
        }
    }

    @Test(arguments: [("0", 0), ("2.5", 2.5), ("60", 60), ("", 0)] as [(String, Double)])
    func retryDelay(value: String, delay: Double) throws {
        #expect(try Self.submit([("retries", "3"), ("retry_delay", value)]).retryDelay == delay)
    }

    @Test(arguments: ["-1", "x", "1e2"])
    func invalidRetryDelay(value: String) {
        #expect(throws: Self.badRequest("retry_delay must be a duration such as 90, 90s, 10m, 1h30m or 2d, not '\(value)'")) {
            try Self.submit([("retry_delay", value)])
        }
    }

    @Test(arguments: ["A=1", "_=x", "_A=", "a_b9=x y", "PATH=/bin:/usr/bin", "A==b", "Z=é"])
    func validEnv(entry: String) throws {
        #expect(try Self.submit([("env", entry)]).env == [entry])
    }

    @Test(arguments: ["=x", "1A=x", "A-B=x", "noequals", "A B=x", "É=x", "A.B=1", " A=1", "9=x", "=", "A$=1"])
    func invalidEnv(entry: String) {
        #expect(throws: Self.badRequest("env must be NAME=VALUE with a shell variable name, not '\(entry)'")) {
            try Self.submit([("env", entry)])
        }
    }

    @Test func repeatedEnvIsKeptInOrder() throws {
        let r = try Self.submit([("env", "B=2"), ("env", "A=1"), ("env", ""), ("env", "B=3")])
        #expect(r.env == ["B=2", "A=1", "B=3"])
    }

    @Test func oneBadEnvAmongGoodOnesRejectsTheRequest() {
        #expect(throws: Self.badRequest("env must be NAME=VALUE with a shell variable name, not '1X=y'")) {
            try Self.submit([("env", "A=1"), ("env", "1X=y"), ("env", "B=2")])
        }
    }

    @Test(arguments: [("0", false), ("1", true), ("", false)])
    func uniqueFlag(value: String, unique: Bool) throws {
        #expect(try Self.submit([("unique", value)]).unique == unique)
    }

    @Test func uniqueMustBe0Or1() {
        #expect(throws: Self.badRequest("unique must be 0 or 1, not 'yes'")) { try Self.submit([("unique", "yes")]) }
    }

    @Test func cwdIsKeptAsGiven() throws {
        #expect(try Self.submit([("cwd", "/tmp/a b")]).cwd == "/tmp/a b")
    }

    // MARK: CleanRequest

    @Test func cleanDefaultsToEveryFinishedStatus() throws {
        let r = try CleanRequest(Parameters([], for: .clean))
        #expect(r.statuses == [.success, .killed, .failed] && r.before == nil && r.format == .text)
        #expect(try CleanRequest(Parameters([("status", ""), ("status", " , ")], for: .clean)).statuses == [.success, .killed, .failed])
    }

    @Test(arguments: [
        ("failed", [.failed]), ("killed, success", [.killed, .success]), ("success,success", [.success, .success]),
    ] as [(String, [JobStatus])])
    func cleanStatuses(value: String, statuses: [JobStatus]) throws {
        #expect(try CleanRequest(Parameters([("status", value)], for: .clean)).statuses == statuses)
    }

    @Test(arguments: [("queued", "queued"), ("running", "running"), ("failed,running", "running"), ("done", "done"), ("Success", "Success")])
    func cleanRejectsUnfinishedAndUnknownStatuses(value: String, bad: String) {
        #expect(throws: Self.badRequest("clean takes finished statuses (success,killed,failed), not '\(bad)'")) {
            try CleanRequest(Parameters([("status", value)], for: .clean))
        }
    }

    @Test func cleanBefore() throws {
        let r = try CleanRequest(Parameters([("before", "2026-11-29T20:00:00+02:00"), ("format", "json")], for: .clean))
        #expect(r.before == 1_795_975_200 && r.format == .json)
        #expect(throws: Self.badRequest("before must be an ISO-8601 time such as 2026-11-29T18:00:00Z, not 'yesterday'")) {
            try CleanRequest(Parameters([("before", "yesterday")], for: .clean))
        }
    }

    // MARK: OutputRequest

    @Test func outputDefaults() throws {
        let r = try OutputRequest(Parameters([("jobid", "7")], for: .output))
        #expect(r.id == 7 && !r.follow && r.stream == .both)
    }

    @Test(arguments: [("both", JobOutputStream.both), ("stdout", .stdout), ("stderr", .stderr), ("", .both)])
    func outputStreams(value: String, stream: JobOutputStream) throws {
        let r = try OutputRequest(Parameters([("jobid", "1"), ("stream", value), ("follow", "1"), ("format", "text")], for: .output))
        #expect(r.stream == stream && r.follow)
    }

    @Test(arguments: ["out", "STDOUT", "err", "all", "stdout,stderr"])
    func invalidOutputStream(value: String) {
        #expect(throws: Self.badRequest("stream must be both, stdout or stderr, not '\(value)'")) {
            try OutputRequest(Parameters([("jobid", "1"), ("stream", value)], for: .output))
        }
    }

    @Test(arguments: ["1,2", "3,3"])
    func outputTakesOneJobID(value: String) {
        #expect(throws: Self.badRequest("output takes one job id")) { try OutputRequest(Parameters([("jobid", value)], for: .output)) }
    }

    @Test func outputNeedsAJobID() {
        #expect(throws: Self.badRequest("missing required parameter 'jobid'")) { try OutputRequest(Parameters([], for: .output)) }
    }

    @Test func outputRejectsJSON() {
        #expect(throws: Self.badRequest("output replies with the job's output itself: format=json does not apply")) {
            try OutputRequest(Parameters([("jobid", "1"), ("format", "json")], for: .output))
        }
        #expect(throws: Self.badRequest("format must be 'text' or 'json', not 'xml'")) {
            try OutputRequest(Parameters([("jobid", "1"), ("format", "xml")], for: .output))
        }
    }

    // MARK: JobInfoRequest sort and limit

    @Test(arguments: [
        ("jobid", JobField.jobid, false), ("-priority", .priority, true), ("priority", .priority, false),
        ("-submitted", .submitted, true), ("time", .submitted, false), ("-jobgroup", .group, true),
        ("attempts", .attempts, false), ("-finished", .finished, true),
    ] as [(String, JobField, Bool)])
    func sort(value: String, field: JobField, descending: Bool) throws {
        let filter = try JobInfoRequest(Parameters([("sort", value)], for: .jobinfo)).filter
        #expect(filter.sort == field && filter.descending == descending)
    }

    @Test(arguments: JobField.sortable)
    func everySortableFieldSortsBothWays(field: JobField) throws {
        for (value, descending) in [(field.rawValue, false), ("-" + field.rawValue, true)] {
            let filter = try JobInfoRequest(Parameters([("sort", value)], for: .jobinfo)).filter
            #expect(filter.sort == field && filter.descending == descending)
        }
    }

    @Test(arguments: [("bogus", "bogus"), ("-bogus", "bogus"), ("env", "env"), ("-env", "env"), ("pid", "pid"),
                      ("runtime", "runtime"), ("-", ""), ("--priority", "-priority"), ("Priority", "Priority")])
    func invalidSort(value: String, name: String) {
        let valid = JobField.sortable.map(\.rawValue).joined(separator: ",")
        #expect(throws: Self.badRequest("cannot sort by '\(name)'; valid: \(valid)")) {
            try JobInfoRequest(Parameters([("sort", value)], for: .jobinfo))
        }
    }

    @Test(arguments: [("1", 1), ("25", 25), ("2147483647", Int(Int32.max))] as [(String, Int)])
    func limit(value: String, limit: Int) throws {
        #expect(try JobInfoRequest(Parameters([("limit", value)], for: .jobinfo)).filter.limit == limit)
    }

    @Test(arguments: ["0", "-1", "-100", "2147483648", "1.5", "ten"])
    func invalidLimit(value: String) {
        #expect(throws: Self.badRequest("limit must be an integer from 1 to 2147483647, not '\(value)'")) {
            try JobInfoRequest(Parameters([("limit", value)], for: .jobinfo))
        }
    }

    @Test func emptySortAndLimitAreAbsent() throws {
        let filter = try JobInfoRequest(Parameters([("sort", ""), ("limit", "")], for: .jobinfo)).filter
        #expect(filter == JobFilter())
    }

    // MARK: WaitRequest

    @Test func waitForAGroupOnly() throws {
        let r = try WaitRequest(Parameters([("group", "ci")], for: .wait))
        #expect(r.ids == [] && r.group == "ci" && r.timeout == nil && !r.fail)
        let both = try WaitRequest(Parameters([("jobid", "4"), ("group", "ci")], for: .wait))
        #expect(both.ids == [4] && both.group == "ci")
    }

    @Test(arguments: [("0", false), ("1", true), ("", false)])
    func waitFailFlag(value: String, fail: Bool) throws {
        #expect(try WaitRequest(Parameters([("jobid", "1"), ("fail", value)], for: .wait)).fail == fail)
    }

    @Test func waitFailMustBe0Or1() {
        #expect(throws: Self.badRequest("fail must be 0 or 1, not 'true'")) {
            try WaitRequest(Parameters([("jobid", "1"), ("fail", "true")], for: .wait))
        }
    }
}
