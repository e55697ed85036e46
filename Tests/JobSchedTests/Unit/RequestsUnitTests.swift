import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: Parameters and typed requests")
struct RequestsUnitTests {
    private static func params(_ command: Endpoint, _ pairs: [(String, String)]) throws(RequestError) -> Parameters {
        try Parameters(pairs, for: command)
    }

    private static func badRequest(_ message: String) -> RequestError { RequestError(status: 400, message: message) }

    // MARK: Parameters

    @Test(arguments: Endpoint.allCases)
    func eachParameterIsDeclaredOnce(endpoint: Endpoint) {
        let names = endpoint.parameters.map(\.name)
        #expect(Set(names).count == names.count, "\(endpoint): \(names)")
    }

    @Test(arguments: Endpoint.allCases)
    func unknownParameterNamesItAndPointsToHelp(command: Endpoint) {
        #expect(throws: Self.badRequest("unknown parameter 'comand' for /\(command.rawValue); see /help?topic=\(command.rawValue)")) {
            // A known parameter before it does not matter.
            try Self.params(command, command.parameters.prefix(1).map { ($0.name, "x") } + [("comand", "ls")])
        }
    }

    @Test(arguments: Endpoint.allCases)
    func everyDocumentedParameterIsAccepted(command: Endpoint) throws {
        let parameters = try Self.params(command, command.parameters.map { ($0.name, "v") })
        for spec in command.parameters { #expect(parameters.string(spec.name) == "v") }
    }

    @Test func parameterNamesAreCaseSensitive() {
        #expect(throws: RequestError.self) { try Self.params(.submit, [("Command", "ls")]) }
    }

    @Test func lastRepeatedValueWinsAndEmptyIsAbsent() throws {
        let p = try Self.params(.submit, [("command", "a"), ("name", "n"), ("command", "b"), ("name", "")])
        #expect(p.string("command") == "b")
        #expect(p.string("name") == nil)
        #expect(p.string("group") == nil)
        #expect(throws: Self.badRequest("missing required parameter 'name'")) { try p.required("name") }
    }

    // MARK: SubmitRequest

    @Test func submitDefaults() throws {
        let r = try SubmitRequest(Self.params(.submit, [("command", "echo hi")]))
        #expect([r.command, r.name, r.group] == ["echo hi", "job", "default"])
        #expect(r.sync && r.outlog == nil && r.errlog == nil && r.format == .text)
    }

    @Test func submitEveryParameter() throws {
        let r = try SubmitRequest(Self.params(.submit, [
            ("command", "make"), ("name", "build"), ("group", "ci"), ("sync", "0"),
            ("outlog", "out.txt"), ("errlog", "err.txt"), ("format", "json"),
        ]))
        #expect([r.command, r.name, r.group, r.outlog, r.errlog] == ["make", "build", "ci", "out.txt", "err.txt"])
        #expect(!r.sync && r.format == .json)
    }

    /// /jobinfo's name= and group= filters split on commas, so no job could be found by such a name.
    @Test(arguments: ["name", "group"])
    func namesAndGroupsHoldNoComma(parameter: String) {
        #expect(throws: Self.badRequest("\(parameter) must not contain a comma (filters take comma-separated lists of them): 'a,b'")) {
            try SubmitRequest(Self.params(.submit, [("command", "x"), (parameter, "a,b")]))
        }
    }

    @Test func echoedInputIsCut() {
        let huge = String(repeating: "x", count: 60_000_000)
        #expect(throws: Self.badRequest("unknown parameter '\(String(repeating: "x", count: 80))…' (60000000 bytes) for /submit; see /help?topic=submit")) {
            try Self.params(.submit, [("command", "ls"), (huge, "1")])
        }
    }

    @Test func emptyNameAndGroupTakeDefaults() throws {
        let request = try SubmitRequest(Self.params(.submit, [("command", "x"), ("name", ""), ("group", ""), ("outlog", "")]))
        #expect(request.name == "job")
        #expect(request.group == "default")
        #expect(request.outlog == nil)
    }

    @Test(arguments: [[], [("command", "")]] as [[(String, String)]])
    func submitNeedsACommand(pairs: [(String, String)]) {
        #expect(throws: Self.badRequest("missing required parameter 'command'")) { try SubmitRequest(Self.params(.submit, pairs)) }
    }

    @Test(arguments: [("0", false), ("1", true), ("", true)])
    func syncFlag(value: String, sync: Bool) throws {
        #expect(try SubmitRequest(Self.params(.submit, [("command", "x"), ("sync", value)])).sync == sync)
    }

    @Test(arguments: ["2", "yes", "true", "01", " 1", "-1"])
    func syncMustBe0Or1(value: String) {
        #expect(throws: Self.badRequest("sync must be 0 or 1, not '\(value)'")) {
            try SubmitRequest(Self.params(.submit, [("command", "x"), ("sync", value)]))
        }
    }

    @Test(arguments: [[("sync", "1"), ("format", "json")], [("format", "json")]] as [[(String, String)]])
    func syncSubmitCannotReplyInJSON(pairs: [(String, String)]) {
        #expect(throws: Self.badRequest("format=json needs sync=0: a sync submit replies with the job's output")) {
            try SubmitRequest(Self.params(.submit, [("command", "x")] + pairs))
        }
    }

    @Test(arguments: ["xml", "JSON", "Text"])
    func unknownFormat(value: String) {
        #expect(throws: Self.badRequest("format must be 'text' or 'json', not '\(value)'")) {
            try HelpRequest(Self.params(.help, [("format", value)]))
        }
    }

    @Test func helpRequest() throws {
        let plain = try HelpRequest(Self.params(.help, []))
        #expect(plain.topic == nil && plain.format == .text)
        let topic = try HelpRequest(Self.params(.help, [("topic", "wait"), ("format", "json")]))
        #expect(topic.topic == "wait" && topic.format == .json)
    }

    // MARK: job ids

    @Test(arguments: [("1,2, 3", [1, 2, 3]), ("7", [7]), (" 4 ,,5,", [4, 5]), ("9223372036854775807", [Int64.max])] as [(String, [JobID])])
    func jobIDLists(value: String, ids: [JobID]) throws {
        #expect(try JobListRequest(Self.params(.kill, [("jobid", value)])).ids == ids)
        #expect(try WaitRequest(Self.params(.wait, [("jobid", value)])).ids == ids)
        #expect(try JobInfoRequest(Self.params(.jobinfo, [("jobid", value)])).filter.ids == ids)
    }

    @Test(arguments: [
        ("abc", "abc"), ("0", "0"), ("-1", "-1"), ("99999999999999999999", "99999999999999999999"),
        ("1,abc", "abc"), ("1.5", "1.5"), ("0x10", "0x10"), ("1 2", "1 2"),
    ])
    func invalidJobIDs(value: String, bad: String) {
        let error = Self.badRequest("invalid job id '\(bad)' in jobid")
        #expect(throws: error) { try JobListRequest(Self.params(.kill, [("jobid", value)])) }
        #expect(throws: error) { try WaitRequest(Self.params(.wait, [("jobid", value)])) }
        #expect(throws: error) { try JobInfoRequest(Self.params(.jobinfo, [("jobid", value)])) }
    }

    @Test(arguments: [[], [("jobid", "")], [("jobid", ",")], [("jobid", " , ")]] as [[(String, String)]])
    func killAndWaitNeedJobIDs(pairs: [(String, String)]) {
        #expect(throws: Self.badRequest("missing required parameter 'jobid'")) { try JobListRequest(Self.params(.kill, pairs)) }
        #expect(throws: Self.badRequest("missing required parameter 'jobid' (or group)")) { try WaitRequest(Self.params(.wait, pairs)) }
    }

    @Test func waitForAGroupNeedsNoJobIDs() throws {
        let request = try WaitRequest(Self.params(.wait, [("jobid", ""), ("group", "g")]))
        #expect(request.ids == [] && request.group == "g")
    }

    // MARK: WaitRequest

    @Test(arguments: [("", nil), ("0", 0), ("2.5", 2.5), ("1000000000", 1e9), ("30", 30)] as [(String, Double?)])
    func timeouts(value: String, timeout: Double?) throws {
        let request = try WaitRequest(Self.params(.wait, [("jobid", "1"), ("timeout", value), ("format", "json")]))
        #expect(request.ids == [1] && request.timeout == timeout && request.format == .json)
    }

    @Test(arguments: ["-1", "abc", "10x", "inf", "nan", "1e10", " 5", "0x10", "1e3"])
    func invalidTimeouts(value: String) {
        #expect(throws: Self.badRequest("timeout must be a duration such as 90, 90s, 10m, 1h30m or 2d, not '\(value)'")) {
            try WaitRequest(Self.params(.wait, [("jobid", "1"), ("timeout", value)]))
        }
    }

    // MARK: JobInfoRequest

    @Test func jobInfoWithoutParametersHasNoFilter() throws {
        let request = try JobInfoRequest(Self.params(.jobinfo, []))
        #expect(request.filter == JobFilter() && request.fields == nil && request.format == .text)
        let empties = try JobInfoRequest(Self.params(.jobinfo, ["jobid", "name", "job", "group", "status", "all", "fields"].map { ($0, "") }))
        #expect(empties == request)
    }

    @Test func jobInfoFilters() throws {
        let request = try JobInfoRequest(Self.params(.jobinfo, [
            ("jobid", "3,1"), ("name", "a, b"), ("job", "c"), ("group", "g1,g2"),
            ("status", "queued,killed"), ("all", "1"), ("format", "json"),
        ]))
        #expect(request.filter == JobFilter(ids: [3, 1], names: ["a", "b", "c"], groups: ["g1", "g2"],
                                            statuses: [.queued, .killed], all: true))
        #expect(request.format == .json)
    }

    @Test func everyStatusIsAccepted() throws {
        let all = JobStatus.allCases.map(\.rawValue).joined(separator: ",")
        #expect(try JobInfoRequest(Self.params(.jobinfo, [("status", all)])).filter.statuses == JobStatus.allCases)
    }

    @Test(arguments: ["done", "Queued", "running,finished"])
    func unknownStatus(value: String) {
        let bad = value.split(separator: ",").last!
        #expect(throws: Self.badRequest("unknown status '\(bad)'; valid: queued,running,success,killed,failed")) {
            try JobInfoRequest(Self.params(.jobinfo, [("status", value)]))
        }
    }

    @Test(arguments: ["yes", "2"])
    func allMustBe0Or1(value: String) {
        #expect(throws: Self.badRequest("all must be 0 or 1, not '\(value)'")) {
            try JobInfoRequest(Self.params(.jobinfo, [("all", value)]))
        }
    }

    @Test(arguments: [
        ("jobid,status", [.jobid, .status]),
        ("jobgroup, time", [.group, .submitted]),
        ("pid,pid", [.pid, .pid]),
        (JobField.allCases.map(\.rawValue).joined(separator: ","), JobField.allCases),
    ] as [(String, [JobField])])
    func fields(value: String, fields: [JobField]) throws {
        #expect(try JobInfoRequest(Self.params(.jobinfo, [("fields", value)])).fields == fields)
    }

    @Test(arguments: ["jobid,bogus", "Status", "id"])
    func unknownField(value: String) {
        let bad = value.split(separator: ",").last!
        let valid = JobField.allCases.map(\.rawValue).joined(separator: ",")
        #expect(valid.hasPrefix("jobid,name,group,command,status,returncode,sync,outlog,errlog,msg,submitted,started,finished,pid"))
        #expect(throws: Self.badRequest("unknown field '\(bad)'; valid: \(valid)")) {
            try JobInfoRequest(Self.params(.jobinfo, [("fields", value)]))
        }
    }
}
