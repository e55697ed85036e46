import Testing
@testable import JobSchedAPI
@testable import JobSchedModel

@Suite("Unit: JobEdit and EditRequest")
struct JobEditUnitTests {
    private static func job(status: JobStatus = .queued) -> Job {
        var job = Job(id: 7, name: "build", group: "ci", command: "make", status: status, sync: false, submitted: 100)
        job.priority = 1
        job.notBefore = 500
        job.timeout = 60
        job.retries = 2
        job.retryDelay = 5
        job.after = [3]
        job.outlog = "out.log"
        return job
    }

    private static func request(_ pairs: [(String, String)]) throws(RequestError) -> EditRequest {
        try EditRequest(Parameters([("jobid", "7")] + pairs, for: .edit))
    }

    @Test func onlyTheGivenFieldsChange() {
        var edit = JobEdit()
        edit.priority = 9
        edit.group = "gpu"
        var expected = Self.job()
        expected.priority = 9
        expected.group = "gpu"
        #expect(edit.applied(to: Self.job(), now: 1000) == expected)
        #expect(JobEdit().applied(to: Self.job(), now: 1000) == Self.job())
        #expect(JobEdit().isEmpty && !edit.isEmpty)
    }

    @Test func everyEditableFieldIsApplied() {
        var edit = JobEdit()
        (edit.command, edit.name, edit.group, edit.priority) = ("make -j2", "b2", "g2", -3)
        (edit.timeout, edit.retries, edit.retryDelay) = (10, 0, 1.5)
        let job = edit.applied(to: Self.job(), now: 1000)
        #expect(job.command == "make -j2" && job.name == "b2" && job.group == "g2" && job.priority == -3)
        #expect(job.timeout == 10 && job.retries == 0 && job.retryDelay == 1.5)
        // What an edit cannot change stays.
        #expect(job.after == [3] && job.outlog == "out.log" && job.notBefore == 500 && job.submitted == 100)
    }

    @Test func delayCountsFromTheEditAndAtIsATime() {
        var delayed = JobEdit()
        delayed.delay = 0
        #expect(delayed.applied(to: Self.job(), now: 1000).notBefore == 1000)
        delayed.delay = 90
        #expect(delayed.applied(to: Self.job(), now: 1000).notBefore == 1090)
        var at = JobEdit()
        at.at = 2000
        #expect(at.applied(to: Self.job(), now: 1000).notBefore == 2000)
    }

    @Test func conflictSaysTheJobStartedAndShowsItsStatus() {
        #expect(JobEdit.conflict(with: Self.job(status: .running))
                == "job 7 is running; only a queued job can be edited, and a running one only given notify=")
        #expect(JobEdit.conflict(with: Self.job(status: .success)).contains("(status success)"))
        #expect(JobEdit.conflict(with: Self.job()).contains("not queued yet"))
    }

    @Test func notifyAloneIsWhatARunningJobMayBeGiven() {
        var edit = JobEdit()
        #expect(!edit.changesNotifyOnly)
        edit.notify = .some(nil)
        #expect(edit.changesNotifyOnly)
        edit.notify = "http://127.0.0.1:9/x"
        #expect(edit.changesNotifyOnly)
        edit.priority = 1
        #expect(!edit.changesNotifyOnly)
    }

    // MARK: EditRequest

    @Test func requestReadsTheChangesAsSubmitDoes() throws {
        let r = try Self.request([("priority", "5"), ("group", "gpu"), ("delay", "1h30m"), ("timeout", "10m"),
                                  ("command", "echo a&b"), ("format", "json")])
        #expect(r.id == 7 && r.format == .json)
        var expected = JobEdit()
        (expected.priority, expected.group, expected.delay, expected.timeout, expected.command) = (5, "gpu", 5400, 600, "echo a&b")
        #expect(r.edit == expected)
        #expect(try Self.request([("at", "+10m")]).edit.delay == 600)
        #expect(try Self.request([("at", "2026-11-29T18:00:00Z")]).edit.at == 1_795_975_200)
        #expect(try Self.request([("delay", "0")]).edit.delay == 0)
        // Defaults of /submit are not changes: an empty value is no value.
        #expect(try Self.request([("name", "x"), ("group", "")]).edit.group == nil)
    }

    @Test func badValuesGetSubmitsMessages() throws {
        for (name, value) in [("priority", "high"), ("priority", "2000000"), ("retries", "-1"), ("delay", "10x"),
                              ("timeout", "0"), ("at", "tomorrow"), ("group", "a,b"), ("name", "x,y")] {
            let submit = #expect(throws: RequestError.self) {
                try SubmitRequest(Parameters([("command", "true"), (name, value)], for: .submit))
            }
            let edit = #expect(throws: RequestError.self) { try Self.request([(name, value)]) }
            #expect(edit != nil && edit == submit, "\(name)=\(value)")
            #expect(edit?.status == 400)
        }
        #expect(throws: RequestError.badRequest("give delay or at, not both")) {
            try Self.request([("delay", "5"), ("at", "+5m")])
        }
    }

    @Test func needsOneJobAndSomethingToChange() {
        #expect(throws: RequestError.badRequest(
            "nothing to change: give at least one of command, name, group, priority, delay, at, timeout, retries, retry_delay, cpus, mem, gpus, notify")) {
            try Self.request([("format", "json")])
        }
        #expect(throws: RequestError.badRequest("edit takes one job id")) {
            try EditRequest(Parameters([("jobid", "1,2"), ("priority", "1")], for: .edit))
        }
        #expect(throws: RequestError.badRequest("missing required parameter 'jobid'")) {
            try EditRequest(Parameters([("priority", "1")], for: .edit))
        }
        // Not editable: the dependencies, the output files, sync.
        for name in ["after", "afterany", "outlog", "errlog", "sync"] {
            #expect(throws: RequestError.self) { try Self.request([(name, "1")]) }
        }
    }

    @Test func helpShowsNoDefaultsForTheChanges() {
        let help = HelpText.topic(.edit)
        #expect(help.contains("\n  jobid\t(required)\t"))
        #expect(help.contains("\n  command\t(optional)\t"))
        #expect(help.contains("\n  name\t(optional)\t"))
        #expect(help.contains("\n  priority\t(optional)\t"))
        #expect(help.contains("\n  format\t(optional, default text)\t"))
    }
}
