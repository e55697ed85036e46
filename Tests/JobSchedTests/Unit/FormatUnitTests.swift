import Foundation
import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

/// A job with every field set, and one with every optional field absent.
private enum SampleJobs {
    static let full = Job(id: 42, name: "build", group: "ci", command: "make\tall", status: .success, returncode: 0,
                          sync: true, outlog: "out.log", errlog: "err.log", msg: "done",
                          submitted: 1_000_000_000.75, started: 1_000_000_001, finished: 1_000_000_062.5, pid: 4321)
    static let sparse = Job(id: 7, name: "", group: "default", command: "sleep 9", status: .queued, sync: false,
                            submitted: 0)
}

@Suite("Unit: TextTable")
struct TextTableUnitTests {
    @Test(arguments: [
        ("plain text", "plain text"),
        ("a\tb", #"a\tb"#),
        ("a\nb", #"a\nb"#),
        ("a\r\nb", #"a\r\nb"#),
        (#"C:\dir"#, #"C:\\dir"#),
        (#"\t"#, #"\\t"#),       // a literal backslash-t stays distinguishable from a tab
        (#"say "hi""#, #"say "hi""#),
        ("é ✓ 😀", "é ✓ 😀"),
        ("", ""),
        // Nothing a terminal acts on gets through: ESC, BEL, NUL, DEL, C1's CSI.
        ("\u{1b}]0;owned\u{7}\u{1b}[2J", #"\u001b]0;owned\u0007\u001b[2J"#),
        ("a\u{0}b\u{7f}c\u{9b}d", #"a\u0000b\u007fc\u009bd"#),
        // Nothing invisible that reorders or hides text: the bidirectional embeddings,
        // overrides, isolates and marks, zero-width characters, BOM and soft hyphen (Cf).
        ("<b>\u{202e}OLR</b>", #"<b>\u202eOLR</b>"#),
        ("\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}", #"\u202a\u202b\u202c\u202d\u202e"#),
        ("\u{2066}\u{2067}\u{2068}\u{2069}", #"\u2066\u2067\u2068\u2069"#),
        ("\u{200e}\u{200f}\u{61c}", #"\u200e\u200f\u061c"#),
        ("a\u{200b}\u{200c}\u{200d}\u{2060}\u{2064}\u{feff}\u{ad}b", #"a\u200b\u200c\u200d\u2060\u2064\ufeff\u00adb"#),
        // Above U+FFFF as a pair of UTF-16 escapes, as JSON writes it.
        ("tag\u{e0001}", #"tag\udb40\udc01"#),
        // Visible text of every script stays as it is, right-to-left letters and combining marks too.
        ("שלום مرحبا e\u{301} ❤\u{fe0f}", "שלום مرحبا e\u{301} ❤\u{fe0f}"),
    ])
    func escape(value: String, escaped: String) {
        #expect(TextTable.escape(value) == escaped)
    }

    @Test func jobsTable() {
        let table = TextTable.jobs([SampleJobs.full, SampleJobs.sparse], fields: JobField.defaultFields, now: 0)
        #expect(table == """
            jobid\tname\tgroup\tstatus\treturncode\tsubmitted\tmsg\tcommand
            42\tbuild\tci\tsuccess\t0\t2001-09-09T01:46:40Z\tdone\tmake\\tall
            7\t-\tdefault\tqueued\t-\t1970-01-01T00:00:00Z\t-\tsleep 9

            """)
    }

    @Test func jobsTableHeaderOnlyAndOtherFields() {
        #expect(TextTable.jobs([], fields: [.jobid, .status], now: 0) == "jobid\tstatus\n")
        #expect(TextTable.jobs([SampleJobs.sparse], fields: [.pid, .sync, .outlog, .started], now: 0) == "pid\tsync\toutlog\tstarted\n-\t0\t-\t-\n")
    }

    @Test func statusLine() {
        #expect(TextTable.statusLine(SampleJobs.full) == "job 42 success returncode=0")
        #expect(TextTable.statusLine(SampleJobs.sparse) == "job 7 queued returncode=-")
        var killed = SampleJobs.full
        killed.status = .killed
        killed.returncode = -9
        #expect(TextTable.statusLine(killed) == "job 42 killed returncode=-9")
    }
}

@Suite("Unit: JobField")
struct JobFieldUnitTests {
    @Test(arguments: [
        (JobField.jobid, JSON.int(42), "42", JSON.int(7), "7"),
        (.name, .string("build"), "build", .string(""), "-"),
        (.group, .string("ci"), "ci", .string("default"), "default"),
        (.command, .string("make\tall"), #"make\tall"#, .string("sleep 9"), "sleep 9"),
        (.status, .string("success"), "success", .string("queued"), "queued"),
        (.returncode, .int(0), "0", .null, "-"),
        (.sync, .bool(true), "1", .bool(false), "0"),
        (.outlog, .string("out.log"), "out.log", .null, "-"),
        (.errlog, .string("err.log"), "err.log", .null, "-"),
        (.msg, .string("done"), "done", .null, "-"),
        (.submitted, .string("2001-09-09T01:46:40Z"), "2001-09-09T01:46:40Z", .string("1970-01-01T00:00:00Z"), "1970-01-01T00:00:00Z"),
        (.started, .string("2001-09-09T01:46:41Z"), "2001-09-09T01:46:41Z", .null, "-"),
        (.finished, .string("2001-09-09T01:47:42Z"), "2001-09-09T01:47:42Z", .null, "-"),
        (.pid, .int(4321), "4321", .null, "-"),
    ])
    func jsonAndText(field: JobField, fullJSON: JSON, fullText: String, sparseJSON: JSON, sparseText: String) {
        #expect(field.json(of: SampleJobs.full, now: 0).serialized() == fullJSON.serialized())
        #expect(field.text(of: SampleJobs.full, now: 0) == fullText)
        #expect(field.json(of: SampleJobs.sparse, now: 0).serialized() == sparseJSON.serialized())
        #expect(field.text(of: SampleJobs.sparse, now: 0) == sparseText)
    }

    @Test func parseList() throws {
        #expect(try JobField.parseList([]) == nil)
        #expect(try JobField.parseList(["time", "jobgroup", "msg"]) == [.submitted, .group, .msg])
        #expect(throws: RequestError.self) { try JobField.parseList(["jobid", "nope"]) }
    }

    @Test func jobObjectCarriesEveryFieldInTheDocumentedOrder() {
        #expect(JobJSON.object(SampleJobs.sparse, now: 0).serialized() == """
            {"jobid": 7, "name": "", "group": "default", "command": "sleep 9", "status": "queued", "returncode": null, \
            "sync": false, "outlog": null, "errlog": null, "msg": null, "submitted": "1970-01-01T00:00:00Z", \
            "started": null, "finished": null, "pid": null, "priority": 0, "after": [], "afterany": [], \
            "notbefore": null, "timeout": null, "retries": 0, "retry_delay": 0, "attempts": 0, "cwd": null, \
            "env": [], "runtime": null, "slurm": null, "slurm_jobid": null, "node": null, "slurm_state": null, "slurm_reason": null, \
            "cpu_user": null, "cpu_system": null, "max_rss_kb": null, "cpus": 1, "mem": null, "gpus": 0, "gpu_ids": [], "cpu_ids": [], "owner": null, \
            "notify": null, "notify_status": null}
            """)
        #expect(JobJSON.object(SampleJobs.full, fields: [.status, .jobid], now: 0).serialized() == #"{"status": "success", "jobid": 42}"#)
    }

    /// Durations are JSON numbers of seconds, to the millisecond, so that `jq 'select(.runtime > 1)'`
    /// compares numbers; text shows the same digits.
    @Test func durationsAreNumbersOfSeconds() throws {
        var job = SampleJobs.full
        job.timeout = 5400
        job.retryDelay = 0.25
        job.usage = ResourceUsage(userSeconds: 0.0123456, systemSeconds: 0.1 + 0.2, maxRSSKilobytes: 3712)
        let fields: [JobField] = [.timeout, .retryDelay, .runtime, .cpuUser, .cpuSystem]
        let json = JobJSON.object(job, fields: fields, now: 0).serialized()
        #expect(json == #"{"timeout": 5400, "retry_delay": 0.25, "runtime": 61.5, "cpu_user": 0.012, "cpu_system": 0.3}"#)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(fields.map { (parsed[$0.rawValue] as? NSNumber)?.doubleValue } == [5400, 0.25, 61.5, 0.012, 0.3])
        #expect(TextTable.jobs([job], fields: fields, now: 0) == "timeout\tretry_delay\truntime\tcpu_user\tcpu_system\n5400\t0.25\t61.5\t0.012\t0.3\n")
        // A running job's runtime so far; none before it starts.
        var running = job
        running.finished = nil
        #expect(JobField.runtime.json(of: running, now: 1_000_000_031.0004) == .seconds(30))
        #expect(JobField.runtime.json(of: SampleJobs.sparse, now: 1) == .null)
    }
}

@Suite("Unit: JSON")
struct JSONUnitTests {
    @Test(arguments: [
        (JSON.null, "null"),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.int(0), "0"),
        (.int(Int64.min), "-9223372036854775808"),
        (.int(Int64.max), "9223372036854775807"),
        (.array([]), "[]"),
        (.object([]), "{}"),
        (.array([.int(1), .string("a"), .null]), #"[1, "a", null]"#),
        (.object([("z", .int(1)), ("a", .array([.bool(true)]))]), #"{"z": 1, "a": [true]}"#),
        (.object([("k\"ey", .string("v"))]), #"{"k\"ey": "v"}"#),
        // Seconds: to the millisecond, without float noise or an exponent.
        (.seconds(30.002), "30.002"),
        (.seconds(0.1 + 0.2), "0.3"),
        (.seconds(10.011 - 8.009), "2.002"),
        (.seconds(5400), "5400"),
        (.seconds(1e9), "1000000000"),
        (.seconds(0.0004), "0"),
        (.seconds(-1.5), "-1.5"),
    ])
    func serializes(value: JSON, text: String) {
        #expect(value.serialized() == text)
    }

    @Test(arguments: [
        ("plain", #""plain""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"back\slash"#, #""back\\slash""#),
        ("tab\tnl\ncr\r", #""tab\tnl\ncr\r""#),
        ("\u{0}\u{1}\u{8}\u{c}\u{1b}\u{1f}", #""\u0000\u0001\u0008\u000c\u001b\u001f""#),
        (" \u{7f}\u{9b}", #"" \u007f\u009b""#),
        ("é ✓ 😀 \u{2028}", "\"é ✓ 😀 \u{2028}\""),
        ("<b>\u{202e}OLR</b>\u{200b}", #""<b>\u202eOLR</b>\u200b""#),
        ("tag\u{e0001}", #""tag\udb40\udc01""#),
    ])
    func escapesStrings(value: String, text: String) throws {
        let serialized = JSON.string(value).serialized()
        #expect(serialized == text)
        // And a real JSON parser reads the original string back.
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(serialized)]".utf8)) as? [String]
        #expect(parsed == [value])
    }

    @Test func optionalInitializers() {
        #expect(JSON(nil as String?).serialized() == "null")
        #expect(JSON("x" as String?).serialized() == #""x""#)
        #expect(JSON(nil as Int32?).serialized() == "null")
        #expect(JSON(-3 as Int32?).serialized() == "-3")
        #expect(JSON(seconds: nil).serialized() == "null")
        #expect(JSON(seconds: 2.5).serialized() == "2.5")
    }
}

@Suite("Unit: Timestamp")
struct TimestampUnitTests {
    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"),
        (1_000_000_000, "2001-09-09T01:46:40Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (1_700_000_000.999, "2023-11-14T22:13:20Z"),  // fractions are truncated, not rounded
        (1_700_000_059.9999, "2023-11-14T22:14:19Z"),
        (-0.5, "1969-12-31T23:59:59Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
        (253_402_300_800, "10000-01-01T00:00:00Z"),
        (-62_135_596_800, "0001-01-01T00:00:00Z"),
    ] as [(Double, String)])
    func iso8601(seconds: Double, text: String) {
        #expect(Timestamp.iso8601(seconds) == text)
    }

    @Test func nowIsARecentEpochTime() {
        let now = Clock.now()
        #expect(abs(now - Date().timeIntervalSince1970) < 60)
    }
}

@Suite("Unit: HelpText")
struct HelpTextUnitTests {
    @Test(arguments: Endpoint.allCases)
    func topicListsEveryParameter(command: Endpoint) {
        let lines = HelpText.topic(command).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "/\(command.rawValue): \(command.summary)")
        #expect(lines.last == "")
        #expect(lines.count == command.parameters.count + 2)
        for (line, parameter) in zip(lines.dropFirst(), command.parameters) {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(columns.count == 3)
            #expect(columns.first == "  \(parameter.name)")
            #expect(columns.last.map(String.init) == parameter.summary)
        }
    }

    @Test(arguments: [
        (Endpoint.submit, "  command\t(required)\t"),
        (.submit, "  name\t(optional, default job)\t"),
        (.submit, "  group\t(optional, default default)\t"),
        (.submit, "  sync\t(optional, default 1)\t"),
        (.submit, "  outlog\t(optional)\t"),
        (.submit, "  format\t(optional, default text)\t"),
        (.jobinfo, "  all\t(optional, default 0)\t"),
        (.jobinfo, "  fields\t(optional, default jobid,name,group,status,returncode,submitted,msg,command)\t"),
        (.jobinfo, "  jobid\t(optional)\t"),
        (.kill, "  jobid\t(required)\t"),
        (.wait, "  jobid\t(required)\t"),
        (.wait, "  timeout\t(optional)\t"),
        (.help, "  topic\t(optional)\t"),
        (.shutdown, "  format\t(optional, default text)\t"),
    ])
    func topicShowsRequiredAndDefaults(command: Endpoint, line: String) {
        #expect(HelpText.topic(command).contains("\n" + line))
    }

    @Test func overviewListsEveryCommand() {
        let overview = HelpText.overview()
        for command in Endpoint.allCases {
            #expect(overview.contains("\n  /\(command.rawValue)\t\(command.summary)\n"))
        }
        #expect(overview.contains("/help?topic=COMMAND"))
    }

    @Test func unknownTopicListsValidTopics() {
        let message = HelpText.unknownTopic("nope")
        let prefix = "unknown help topic 'nope'; valid topics: "
        #expect(message.hasPrefix(prefix))
        let topics = message.dropFirst(prefix.count).components(separatedBy: ", ")
        #expect(topics.starts(with: ["help", "submit", "jobinfo"]))
        #expect(topics == Endpoint.allCases.map(\.rawValue))
    }

    @Test func topicJSON() {
        #expect(HelpText.topicJSON(.kill).serialized() == """
            {"name": "kill", "summary": "cancel queued or running jobs", "parameters": [\
            {"name": "jobid", "required": true, "default": null, "summary": "comma-separated job ids"}, \
            {"name": "format", "required": false, "default": "text", "summary": "reply as 'text' or 'json'"}]}
            """)
    }
}

@Suite("Unit: Excerpt")
struct ExcerptUnitTests {
    @Test func shortInputIsQuotedWhole() {
        #expect(Excerpt.quoted("comand") == "'comand'")
        #expect(Excerpt.plain("sleep 10") == "sleep 10")
        #expect(Excerpt.quoted(String(repeating: "x", count: 80)) == "'" + String(repeating: "x", count: 80) + "'")
    }

    @Test func longInputIsCutWithItsLength() {
        let huge = String(repeating: "é", count: 3_000_000)
        #expect(Excerpt.quoted(huge) == "'" + String(repeating: "é", count: 80) + "…' (6000000 bytes)")
        #expect(Excerpt.plain(huge, limit: 3) == "ééé… (6000000 bytes)")
    }

    @Test func controlCharactersAreEscaped() {
        #expect(Excerpt.quoted("a\nb\u{1b}[2J") == #"'a\nb\u001b[2J'"#)
    }

    @Test func longIdListsAreCutWithTheirCount() {
        #expect(Excerpt.ids([7]) == "7")
        #expect(Excerpt.ids(Array(1...10)) == "1,2,3,4,5,6,7,8,9,10")
        #expect(Excerpt.ids(Array(1...6_000_000)) == "1,2,3,4,5,6,7,8,9,10,… (6000000 ids)")
    }
}

@Suite("Unit: the HTTP Date header")
struct HTTPDateUnitTests {
    @Test func imfFixdate() {
        // RFC 9110's own example, a leap day, and the epoch.
        #expect(HTTPDate.format(secondsSinceEpoch: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: 1_709_164_800) == "Thu, 29 Feb 2024 00:00:00 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: -1) == "Wed, 31 Dec 1969 23:59:59 GMT")
    }
}

@Suite("Unit: output the spool could not keep")
struct OutputLossUnitTests {
    @Test func lossIsAddedToMsgAndFoundAgain() {
        let loss = OutputLoss(bytes: 7, reason: "No space left on device")
        #expect(OutputLoss.msg("", adding: loss) == "output lost: 7 bytes not kept (No space left on device)")
        #expect(OutputLoss.msg("killed by /kill", adding: loss)
                == "killed by /kill; output lost: 7 bytes not kept (No space left on device)")
        #expect(OutputLoss.msg("killed by /kill", adding: nil) == "killed by /kill")
        #expect(OutputLoss.reported(in: "killed by /kill; output lost: 7 bytes not kept (x)") == "output lost: 7 bytes not kept (x)")
        #expect(OutputLoss.reported(in: "killed by /kill") == nil)
        #expect(String(decoding: OutputLoss.gapMarker(bytes: 7, reason: "x"), as: UTF8.self) == "\njobsched: 7 bytes of output lost here (x)\n")
    }
}
