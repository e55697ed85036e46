import Testing
@testable import JobSchedModel

@Suite("Unit: /jobinfo?view=table")
struct JobTableUnitTests {
    private let now = 1_800_000_000.0

    @Test func columnsAreAlignedWithTimesAgoAndDurations() {
        var done = Job(id: 7, name: "build", group: "ci", command: "make -j2", status: .success, returncode: 0,
                       sync: false, submitted: now - 400, started: now - 300, finished: now - 110)
        done.usage = ResourceUsage(userSeconds: 2.5, systemSeconds: 0.25, maxRSSKilobytes: 42_189)
        let running = Job(id: 12, name: "a\tb", group: "default", command: "sleep 300", status: .running,
                          sync: false, submitted: now - 5, started: now - 4.5)
        let queued = Job(id: 130, name: "later", group: "default", command: "echo \u{1b}[2J", sync: false, submitted: now - 1)
        #expect(JobTable.render([done, running, queued], fields: JobTable.defaultFields, now: now) == """
            ID   NAME   GROUP    STATUS   RC  STARTED  RUNTIME  COMMAND
            7    build  ci       success  0   5m ago   3m10s    make -j2
            12   a\\tb   default  running  -   5s ago   4.5s     sleep 300
            130  later  default  queued   -   -        -        echo \\u001b[2J

            """)
        #expect(JobTable.render([done], fields: [.jobid, .cpuUser, .cpuSystem, .maxRSS], now: now) == """
            ID  CPU USER  CPU SYSTEM  MAX RSS
            7   2.5s      0.25s       41.2M

            """)
    }

    @Test func unitsForPeople() {
        #expect(JobTable.ago(now - 59, now: now) == "59s ago" && JobTable.ago(now - 7_200, now: now) == "2h ago")
        #expect(JobTable.ago(now - 3 * 86_400, now: now) == "3d ago" && JobTable.ago(now + 600, now: now) == "in 10m")
    }

    /// Rounded to the nearest unit shown, two units past an hour (issue 28, item 9).
    @Test(arguments: [(599.9, "10m"), (5_399.8, "1h30m"), (3_600.0, "1h"), (59.4, "59s"), (59.6, "1m"), (3_570.0, "1h"),
                      (3_569.0, "59m"), (86_370.0, "1d"), (86_400.0 + 5 * 3_600 + 1_700, "1d5h"), (2 * 86_400.0 + 5_500, "2d2h"), (0.4, "0s")] as [(Double, String)])
    func timesRoundToTheNearestUnitShown(seconds: Double, text: String) {
        #expect(JobTable.roughly(seconds) == text)
        #expect(JobTable.duration(0.004) == "0s" && JobTable.duration(42) == "42s" && JobTable.duration(185) == "3m05s")
        #expect(JobTable.duration(7_620) == "2h07m" && JobTable.duration(4 * 86_400 + 3_600) == "4d01h")
        #expect(JobTable.memory(kilobytes: 812) == "812K" && JobTable.memory(kilobytes: 3_670_016) == "3.5G")
    }

    @Test func longCommandsAreCut() {
        let job = Job(id: 1, name: "n", group: "g", command: String(repeating: "x", count: 100), sync: false, submitted: now)
        let line = JobTable.render([job], fields: [.command], now: now).split(separator: "\n")[1]
        #expect(line.count == JobTable.maxCellCharacters && line.hasSuffix("…"))
    }
}

/// `show` prints the command as it is, to copy and run again (issue 28, item 6).
@Suite("Unit: show's command as it is")
struct ShowCommandUnitTests {
    @Test func backslashesStayOneAndOnlyTerminalControlsAreEscaped() {
        let command = "printf '%s\\n' a\\b\t\"q\"; echo \u{1b}[31mred\r"
        let job = Job(id: 1, name: "j", group: "g", command: command, status: .queued, sync: false, submitted: 0)
        let record = JobTable.records([job], fields: [.command], now: 0)
        #expect(record == "COMMAND  printf '%s\\n' a\\b\t\"q\"; echo \\u001b[31mred\\r\n", "\(record)")
        // The other views still escape every control, a job to a line.
        #expect(TextTable.escape(command) == "printf '%s\\\\n' a\\\\b\\t\"q\"; echo \\u001b[31mred\\r")
    }
}

/// `ls` fits its table in the terminal's width (issue 28, item 5).
@Suite("Unit: a table fitted in a width")
struct FittedTableUnitTests {
    @Test func theCommandIsCutFirstThenTheNameNeverTheIDOrStatus() {
        let jobs = (1...3).map { i in
            Job(id: JobID(i * 1000), name: "a-rather-long-job-name-\(i)", group: "default",
                command: "python3 train.py --epochs 100 --learning-rate 0.001 --batch-size \(i * 64)", status: .queued,
                sync: false, submitted: 0)
        }
        let full = JobTable.render(jobs, fields: JobTable.defaultFields, now: 0)
        #expect(full.split(separator: "\n").contains { $0.count > 100 })
        for width in [100, 80, 70] {
            let fitted = JobTable.render(jobs, fields: JobTable.defaultFields, now: 0, width: width)
            let lines = fitted.split(separator: "\n")
            #expect(lines.allSatisfy { $0.count <= width }, "\(width): \(fitted)")
            #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("\(Int($0.prefix(4)) ?? 0)") && $0.contains(" queued ") }, "\(fitted)")
            #expect(lines.dropFirst().allSatisfy { $0.hasSuffix("…") }, "the command is cut: \(fitted)")
        }
        // At 100 the name still shows whole; at 70 it is cut too. A width of a pipe: nothing cut, not even at 60 characters.
        #expect(JobTable.render(jobs, fields: JobTable.defaultFields, now: 0, width: 100).contains("a-rather-long-job-name-1 "))
        #expect(!JobTable.render(jobs, fields: JobTable.defaultFields, now: 0, width: 70).contains("a-rather-long-job-name-1"))
        #expect(JobTable.render(jobs, fields: JobTable.defaultFields, now: 0, width: 1_000_000).contains("--batch-size 64\n"))
    }
}
