import Foundation
import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

/// Each test gets a fresh directory, removed afterwards.
@Suite("Unit: JobStore on a real SQLite file")
final class JobStoreUnitTests {
    private let scratch: ScratchDirectory
    private var path: String { scratch.databasePath }

    init() throws { scratch = try ScratchDirectory() }

    private func open(clear: Bool = false) throws -> JobStore { try openJobStore(path, clear: clear) }

    private static func job(_ name: String = "job", group: String = "default", status: JobStatus = .queued) -> Job {
        Job(name: name, group: group, command: "echo \(name)", status: status, sync: false, submitted: 1_700_000_000.25)
    }

    /// Runs the sqlite3 shell on the test's database file.
    private func sqlite3(_ sql: String) throws -> String {
        try JobSchedTests.sqlite3(path, sql)
    }

    private func openError() -> String? {
        let error = #expect(throws: ServerError.self) { try JobStore(path: self.path, clear: false) }
        return error?.description
    }

    @Test func insertGivesIncreasingIDsAndRoundTripsEveryField() throws {
        let store = try open()
        var full = Job(name: "n", group: "g", command: "printf 'a\\tb'\n", status: .running, returncode: -9, sync: true,
                       outlog: "o.log", errlog: "e.log", msg: "msg é", submitted: 1.5, started: 2.25, finished: 3.125, pid: 99)
        #expect(try store.insert(Self.job("a")) == 1)
        full.id = try store.insert(full)
        #expect(full.id == 2)
        #expect(try store.insert(Self.job("c")) == 3)
        #expect(try store.job(2) == full)
        var a = Self.job("a")
        a.id = 1
        #expect(try store.job(1) == a)
        #expect(try store.job(4) == nil)
        #expect(try store.job(0) == nil)
    }

    /// A job's state changes are written once, at the commit or before a read:
    /// readers on this connection see the latest at once, others after the commit.
    @Test func stateChangesAreWrittenOnceBeforeReadsAndCommits() throws {
        let store = try open()
        var job = Self.job("short")
        job.id = try store.insert(job)
        try store.commit()
        job.status = .running
        job.pid = 42
        try store.update(job)
        #expect(try store.job(job.id)?.status == .running)
        job.status = .success
        job.returncode = 0
        try store.update(job)
        #expect(try sqlite3("SELECT status FROM jobs WHERE id = \(job.id)") == "queued\n")
        #expect(try store.jobs(matching: JobFilter(statuses: [.success])).map(\.id) == [job.id])
        #expect(try store.jobs(matching: JobFilter(statuses: [.running])).isEmpty)
        try store.commit()
        #expect(try sqlite3("SELECT status, returncode, pid FROM jobs WHERE id = \(job.id)") == "success|0|42\n")
    }

    @Test func committedWritesSurviveAReopen() throws {
        var job = Self.job("kept")
        do {
            let store = try open()
            job.id = try store.insert(job)
            try store.commit()
            job.status = .success
            job.returncode = 3
            job.msg = "m"
            job.started = 10
            job.finished = 20
            job.pid = 1234
            try store.update(job)
            try store.commit()
        }
        let reopened = try open()
        #expect(try reopened.job(job.id) == job)
        // Ids continue after the existing ones.
        #expect(try reopened.insert(Self.job()) == job.id + 1)
    }

    /// An edit is written at once, beside a state change still pending, and survives a reopen.
    @Test func editedDefinitionsAreWrittenAndKept() throws {
        var job = Self.job("before")
        do {
            let store = try open()
            job.id = try store.insert(job)
            try store.commit()
            job.msg = "retrying"
            try store.update(job)
            (job.name, job.group, job.command, job.priority) = ("after", "gpu", "echo edited", 4)
            (job.notBefore, job.timeout, job.retries, job.retryDelay) = (1_800_000_000, 60, 3, 1.5)
            try store.updateDefinition(job)
            #expect(try store.job(job.id) == job)
            #expect(try store.jobs(matching: JobFilter(groups: ["gpu"])).map(\.name) == ["after"])
            try store.commit()
        }
        let reopened = try open()
        #expect(try reopened.job(job.id) == job)
    }

    @Test func uncommittedWritesAreLostOnClose() throws {
        do {
            let store = try open()
            #expect(try store.insert(Self.job("committed")) == 1)
            try store.commit()
            var job = Self.job("uncommitted")
            job.id = try store.insert(job)
            #expect(try store.job(job.id) != nil)  // the same connection sees it
        }
        let reopened = try open()
        #expect(try reopened.jobs(matching: JobFilter(all: true)).map(\.name) == ["committed"])
    }

    @Test(arguments: [
        (JobFilter(), [1, 2]),
        (JobFilter(all: true), [1, 2, 3, 4, 5]),
        (JobFilter(ids: [5, 1, 99]), [1, 5]),
        (JobFilter(names: ["b", "e"]), [2, 5]),
        (JobFilter(groups: ["g2"]), [3, 4]),
        (JobFilter(statuses: [.success, .failed]), [3, 5]),
        (JobFilter(names: ["a", "c"], groups: ["g1"]), [1]),
        (JobFilter(groups: ["g2"], statuses: [.killed]), [4]),
        (JobFilter(names: ["nobody"]), []),
        (JobFilter(names: [#"it's "quoted""#]), []),
    ] as [(JobFilter, [JobID])])
    func jobsMatching(filter: JobFilter, ids: [JobID]) throws {
        let store = try open()
        for (name, group, status) in [("a", "g1", JobStatus.queued), ("b", "g1", .running), ("c", "g2", .success),
                                      ("d", "g2", .killed), ("e", "g3", .failed)] {
            _ = try store.insert(Self.job(name, group: group, status: status))
        }
        #expect(try store.jobs(matching: filter).map(\.id) == ids)
        // A cached statement answers the same the second time.
        #expect(try store.jobs(matching: filter).map(\.id) == ids)
    }

    @Test func killInterruptedMarksQueuedAndRunningJobs() throws {
        let store = try open()
        for status in [JobStatus.queued, .running, .success, .failed, .killed] {
            _ = try store.insert(Self.job(status.rawValue, status: status))
        }
        try store.commit()
        #expect(try store.killInterrupted([.queued, .running], msg: "server restarted", at: 99.5) == 2)
        let jobs = try store.jobs(matching: JobFilter(all: true))
        #expect(jobs.map(\.status) == [.killed, .killed, .success, .failed, .killed])
        #expect(jobs.map(\.msg) == ["server restarted", "server restarted", "", "", ""])
        #expect(jobs.map(\.finished) == [99.5, 99.5, nil, nil, nil])
        #expect(try store.killInterrupted([.queued, .running], msg: "again", at: 100) == 0)
    }

    @Test func clearEmptiesTheTableAndRestartsIDs() throws {
        do {
            let store = try open()
            for _ in 0..<3 { _ = try store.insert(Self.job()) }
            try store.commit()
        }
        let cleared = try open(clear: true)
        #expect(try cleared.jobs(matching: JobFilter(all: true)) == [])
        #expect(try cleared.insert(Self.job()) == 1)
    }

    @Test func onFirstWriteIsCalledOncePerTransaction() throws {
        let store = try open()
        var calls = 0
        store.onFirstWrite = { calls += 1 }
        var job = Self.job()
        job.id = try store.insert(job)
        _ = try store.insert(Self.job())
        job.status = .running
        try store.update(job)
        _ = try store.jobs(matching: JobFilter(statuses: [.success]))
        #expect(calls == 1)
        try store.commit()
        try store.commit()  // nothing to commit: no new transaction either
        #expect(calls == 1)
        _ = try store.job(job.id)
        #expect(calls == 1)  // reads do not open a transaction
        _ = try store.killInterrupted([.queued, .running], msg: "x", at: 1)
        #expect(calls == 2)
        try store.commit()
        try store.update(job)
        #expect(calls == 3)
    }

    /// --keep-finished drops the jobs that finished first, found through an
    /// index: the server does this after jobs end, with a million kept.
    /// The dashboard's figures: counts by status, jobs finished per minute, pages of jobs by id.
    @Test func countsByStatusMinutesAndPagesBelowAnID() throws {
        let store = try open()
        for (status, finished, returncode) in [(JobStatus.success, 120.0, 0), (.success, 170, 2), (.failed, 200, nil),
                                               (.killed, 50, -15), (.queued, nil, nil)] as [(JobStatus, Double?, Int32?)] {
            var job = Self.job(status: status)
            job.finished = finished
            job.returncode = returncode
            _ = try store.insert(job)
        }
        let counts = try store.countFinished()
        #expect(counts.byStatus == [.success: 2, .failed: 1, .killed: 1] && counts.total == 4)
        #expect(counts.byGroup == ["default": [.zero: 1, .nonzero: 1, .failed: 1, .killed: 1]])
        let plan = try sqlite3("""
            EXPLAIN QUERY PLAN SELECT grp, status, returncode, count(*) FROM jobs WHERE status NOT IN ('queued', 'running')
            GROUP BY grp, status, returncode
            """)
        #expect(plan.contains("COVERING INDEX jobs_grp") && !plan.contains("TEMP B-TREE"), "\(plan)")
        #expect(try store.finishedPerMinute(since: 100) == [2: 2, 3: 1])
        var page = JobFilter(all: true, sort: .jobid, descending: true, limit: 2)
        page.belowID = 4
        #expect(try store.jobs(matching: page).map(\.id) == [3, 2])
    }

    /// returncode=nonzero reads the few such jobs through their own index, not every job.
    @Test func findsNonZeroReturncodesThroughAnIndex() throws {
        let store = try open()
        for returncode: Int32? in [0, 3, nil, -15, 0] {
            var job = Self.job(status: returncode == nil ? .failed : .success)
            job.returncode = returncode
            _ = try store.insert(job)
        }
        var filter = JobFilter()
        filter.nonzeroReturncode = true
        #expect(try store.jobs(matching: filter).map(\.id) == [2, 4])
        let (clauses, _) = filter.sqlClauses()
        let plan = try sqlite3("EXPLAIN QUERY PLAN SELECT id FROM jobs \(clauses.replacingOccurrences(of: "?", with: "NULL"))")
        #expect(plan.contains("INDEX jobs_nonzero"), "\(plan)")
    }

    @Test func deletesTheEarliestFinishedThroughAnIndex() throws {
        let store = try open()
        // Ids 1...4 finish at 40, 10, 30, 10 (a tie goes by id); 5 is still queued.
        for finished in [40.0, 10, 30, 10] {
            var job = Self.job(status: .success)
            job.finished = finished
            _ = try store.insert(job)
        }
        _ = try store.insert(Self.job())
        #expect(try store.deleteEarliestFinished(3).map(\.id).sorted() == [2, 3, 4])
        #expect(try store.deleteEarliestFinished(5) == [DeletedJob(id: 1, group: "default", outcome: .nonzero)])
        try store.commit()
        #expect(try sqlite3("SELECT id FROM jobs") == "5\n")
        let plan = try sqlite3("EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE finished IS NOT NULL ORDER BY finished, id LIMIT 3")
        #expect(plan.contains("INDEX jobs_finished") && !plan.contains("TEMP B-TREE"), "\(plan)")
    }

    /// A `/clean` page reads a bounded number of rows of one status, however
    /// few of them it deletes, and says how far it read.
    @Test func cleansAPageOfOneStatusAtATime() throws {
        let store = try open()
        // Ids 1...10: odd ones succeeded (finished at their id), even ones failed; 11 is queued.
        for id in 1...10 {
            var job = Self.job(status: id % 2 == 1 ? .success : .failed)
            job.finished = Double(id)
            _ = try store.insert(job)
        }
        _ = try store.insert(Self.job())
        var page = try store.deleteFinished(status: .success, after: 0, finishedBefore: 6, limit: 2)
        #expect(page.deleted.map(\.id) == [1, 3] && page.readThrough == 3)
        // 5 and 7 read, 7 finished too late; then 9 alone, too late as well.
        page = try store.deleteFinished(status: .success, after: 3, finishedBefore: 6, limit: 2)
        #expect(page.deleted.map(\.id) == [5] && page.readThrough == 7)
        page = try store.deleteFinished(status: .success, after: 7, finishedBefore: 6, limit: 2)
        #expect(page.deleted.isEmpty && page.readThrough == 9)
        page = try store.deleteFinished(status: .success, after: 9, finishedBefore: 6, limit: 2)
        #expect(page.deleted.isEmpty && page.readThrough == nil)
        page = try store.deleteFinished(status: .queued, after: 0, finishedBefore: nil, limit: 5)
        #expect(page.deleted.isEmpty)
        page = try store.deleteFinished(status: .failed, after: 0, finishedBefore: nil, limit: 100)
        #expect(page.deleted.map(\.id) == [2, 4, 6, 8, 10] && page.readThrough == 10)
        try store.commit()
        #expect(try sqlite3("SELECT id FROM jobs") == "7\n9\n11\n")
        let plan = try sqlite3("EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE status = 'success' AND id > 3 ORDER BY id LIMIT 2")
        #expect(plan.contains("INDEX jobs_status") && !plan.contains("TEMP B-TREE"), "\(plan)")
    }

    /// A shutdown marks the queued jobs killed a page at a time, in id order.
    @Test func killsTheQueuedJobsAPageAtATime() throws {
        let store = try open()
        // Ids 1...7: 3 and 6 are running, the others queued.
        for id in 1...7 { _ = try store.insert(Self.job(status: id % 3 == 0 ? .running : .queued)) }
        var page = try store.killQueued(after: 0, limit: 2, msg: "server shutdown", at: 50)
        #expect(page.count == 2 && page.readThrough == 2)
        page = try store.killQueued(after: 2, limit: 2, msg: "server shutdown", at: 50)
        #expect(page.count == 2 && page.readThrough == 5)
        page = try store.killQueued(after: 5, limit: 2, msg: "server shutdown", at: 50)
        #expect(page.count == 1 && page.readThrough == 7)
        page = try store.killQueued(after: 7, limit: 2, msg: "server shutdown", at: 50)
        #expect(page.count == 0 && page.readThrough == nil)
        try store.commit()
        #expect(try sqlite3("SELECT id, status, msg, finished FROM jobs WHERE status = 'killed' ORDER BY id")
                == "1|killed|server shutdown|50.0\n2|killed|server shutdown|50.0\n4|killed|server shutdown|50.0\n5|killed|server shutdown|50.0\n7|killed|server shutdown|50.0\n")
        #expect(try sqlite3("SELECT count(*) FROM jobs WHERE status = 'running'") == "2\n")
    }

    /// A group's /wait looks up the group's jobs that ended without success
    /// in an index of those alone, not through the group's whole history.
    @Test func findsAGroupsUnsucceededJobsThroughAnIndex() throws {
        let store = try open()
        for (group, status, returncode) in [("g", JobStatus.success, 0), ("g", .success, 2), ("g", .killed, -15),
                                             ("h", .failed, 0), ("g", .failed, 0), ("g", .running, 0), ("g", .success, -9)] {
            var job = Self.job(group: group, status: status)
            job.returncode = Int32(returncode)
            _ = try store.insert(job)
        }
        #expect(try store.unsucceededJobs(inGroup: "g") == [2, 3, 5, 7])
        #expect(try store.unsucceededJobs(inGroup: "none") == [])
        try store.commit()
        let plan = try sqlite3("""
            EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE grp = 'g' AND \
            (status IN ('failed', 'killed') OR (status = 'success' AND returncode != 0)) ORDER BY id
            """)
        #expect(plan.contains("INDEX jobs_unsucceeded"), "\(plan)")
    }

    @Test(arguments: [1, 100])
    func rejectsAFileThatIsNotSQLite(lines: Int) throws {
        let text = String(repeating: "This is a plain text file, not SQLite.\n", count: lines)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let description = try #require(openError())
        #expect(description.contains("'\(path)'"))
        #expect(description.contains("not a database"))
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func rejectsAnotherApplicationsDatabase() throws {
        _ = try sqlite3("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
        #expect(openError() == "'\(path)' is not a jobsched database")
        #expect(try sqlite3("SELECT body FROM notes") == "keep me\n")
        // Rejected before anything is changed: the file is not switched to WAL.
        #expect(try sqlite3("PRAGMA journal_mode") == "delete\n")
    }

    @Test func rejectsANewerSchemaVersion() throws {
        let newer = JobStore.schemaVersion + 1
        _ = try sqlite3("PRAGMA application_id = \(JobStore.applicationID); PRAGMA user_version = \(newer); CREATE TABLE jobs (id INTEGER);")
        #expect(openError() == "'\(path)' was written by a newer jobsched (schema version above \(JobStore.schemaVersion))")
        #expect(try sqlite3("PRAGMA user_version") == "\(newer)\n")
    }

    /// A database of schema version 2 gets the indexes of versions 3 and 4, the Slurm columns of 5,
    /// the index of 6, the identity of 9, the Slurm reason of 10, the environments of 11, the outputs of 12,
    /// the resources of 13, the owner of 14 and the notify URLs and outbox of 15.
    @Test func upgradesAVersion2Database() throws {
        _ = try open()
        let indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'jobs_%' ORDER BY name"
        _ = try sqlite3("""
            DROP TABLE meta; DROP INDEX jobs_finished; DROP INDEX jobs_unsucceeded; DROP INDEX jobs_nonzero; ALTER TABLE jobs DROP COLUMN slurm_options;
            ALTER TABLE jobs DROP COLUMN slurm_jobid; ALTER TABLE jobs DROP COLUMN node; ALTER TABLE jobs DROP COLUMN slurm_state;
            ALTER TABLE jobs DROP COLUMN cpu_user; ALTER TABLE jobs DROP COLUMN cpu_system; ALTER TABLE jobs DROP COLUMN max_rss_kb;
            ALTER TABLE jobs DROP COLUMN slurm_reason; DROP TABLE environments; ALTER TABLE jobs DROP COLUMN environment;
            DROP TRIGGER jobs_output; DROP TABLE outputs; ALTER TABLE jobs DROP COLUMN cpus; ALTER TABLE jobs DROP COLUMN mem;
            ALTER TABLE jobs DROP COLUMN gpus; ALTER TABLE jobs DROP COLUMN cpu_ids; ALTER TABLE jobs DROP COLUMN gpu_ids;
            DROP INDEX jobs_owner; ALTER TABLE jobs DROP COLUMN owner;
            ALTER TABLE jobs DROP COLUMN notify; ALTER TABLE groups DROP COLUMN notify; DROP TRIGGER jobs_delivery; DROP TABLE deliveries;
            PRAGMA user_version = 2;
            """)
        #expect(try sqlite3(indexes) == "jobs_grp\njobs_name\njobs_status\n")
        _ = try open()
        #expect(try sqlite3("PRAGMA user_version") == "\(JobStore.schemaVersion)\n")
        #expect(try sqlite3(indexes) == "jobs_finished\njobs_grp\njobs_name\njobs_nonzero\njobs_owner\njobs_status\njobs_unsucceeded\n")
        #expect(try sqlite3("SELECT name FROM pragma_table_info('jobs') WHERE name LIKE 'slurm%' OR name = 'node' OR name LIKE 'cpu%' OR name = 'max_rss_kb'")
                == "slurm_options\nslurm_jobid\nnode\nslurm_state\ncpu_user\ncpu_system\nmax_rss_kb\nslurm_reason\ncpus\ncpu_ids\n")
        #expect(try sqlite3("SELECT length(value) FROM meta WHERE key = 'identity'") == "32\n")
        #expect(try sqlite3("SELECT count(*) FROM environments; SELECT count(*) FROM pragma_table_info('jobs') WHERE name = 'environment'") == "0\n1\n")
        #expect(try sqlite3("SELECT count(*) FROM outputs; SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name") == "0\njobs_delivery\njobs_output\n")
        #expect(try sqlite3("SELECT count(*) FROM pragma_table_info('jobs') WHERE name IN ('cpus', 'mem', 'gpus', 'cpu_ids', 'gpu_ids', 'owner')") == "6\n")
        #expect(try sqlite3("SELECT count(*) FROM pragma_table_info('jobs') WHERE name = 'notify'; SELECT count(*) FROM pragma_table_info('groups') WHERE name = 'notify'; SELECT count(*) FROM deliveries") == "1\n1\n0\n")
    }

    /// Slurm's cpus= and mem= of a version 12 database become the job's own resources.
    @Test func upgradesSlurmResourcesOfAVersion12Database() throws {
        do {
            let store = try open()
            for _ in 1...4 { _ = try store.insert(Self.job()) }
            try store.commit()
        }
        _ = try sqlite3("""
            ALTER TABLE jobs DROP COLUMN cpus; ALTER TABLE jobs DROP COLUMN mem; ALTER TABLE jobs DROP COLUMN gpus;
            ALTER TABLE jobs DROP COLUMN cpu_ids; ALTER TABLE jobs DROP COLUMN gpu_ids;
            DROP INDEX jobs_owner; ALTER TABLE jobs DROP COLUMN owner;
            ALTER TABLE jobs DROP COLUMN notify; ALTER TABLE groups DROP COLUMN notify; DROP TRIGGER jobs_delivery; DROP TABLE deliveries;
            UPDATE jobs SET slurm_options = 'partition=p' || char(10) || 'cpus=4' || char(10) || 'mem=2G' || char(10) || 'qos=q' WHERE id = 1;
            UPDATE jobs SET slurm_options = 'mem=1500' WHERE id = 2;
            UPDATE jobs SET slurm_options = 'cpus=16' || char(10) || 'mem=64k' WHERE id = 3;
            PRAGMA user_version = 12;
            """)
        let upgraded = try open()
        #expect(try (1...4).map { try upgraded.job($0)?.resources } == [
            ResourceRequest(cpus: 4, mem: MemorySize("2G")), ResourceRequest(mem: MemorySize("1500")),
            ResourceRequest(cpus: 16, mem: MemorySize("64K")), ResourceRequest(),
        ])
        #expect(try upgraded.job(1)?.slurm == SlurmOptions(partition: "p", qos: "q"))
    }

    /// A job's output kept in the database reads back as it was written (no
    /// output is a NULL, not an empty blob), and goes when its job does, however.
    @Test func keptOutputRoundTripsAndGoesWithItsJob() throws {
        try keepAndDeleteOutputs()
        _ = try open(clear: true)
        #expect(try sqlite3("SELECT count(*) FROM outputs") == "0\n")
    }

    private func keepAndDeleteOutputs() throws {
        let store = try open()
        let jobs = try (1...4).map { n in
            var job = Self.job(status: .success)
            (job.returncode, job.finished) = (0, Double(n))
            job.id = try store.insert(job)
            return job
        }
        let ids = jobs.map(\.id)
        let binary: [UInt8] = [0, 255, 10, 13]
        let outputs = [
            CompactOutput(both: nil, stdout: binary, stderr: nil),
            CompactOutput(both: Array("o\ne\n".utf8), stdout: Array("o\n".utf8), stderr: Array("e\n".utf8)),
            CompactOutput(both: Array("sync".utf8), stdout: nil, stderr: nil),
            CompactOutput(both: nil, stdout: [], stderr: nil),
        ]
        for (job, output) in zip(jobs, outputs) { try store.update(job, output: output) }
        // Read while pending, then once written, and a later state of the job keeps it.
        #expect(try ids.map { try store.output($0) } == outputs)
        try store.update(jobs[0])
        _ = try store.jobs(matching: JobFilter(statuses: [.success]))
        #expect(try ids.map { try store.output($0) } == outputs)
        try store.commit()
        #expect(try sqlite3("SELECT id, typeof(output), typeof(stdout), typeof(stderr) FROM outputs WHERE id IN (\(ids[0]), \(ids[3]))")
                == "\(ids[0])|null|blob|null\n\(ids[3])|null|blob|null\n")
        #expect(try store.deleteFinished(ids: [ids[0]]).map(\.id) == [ids[0]])
        #expect(try store.deleteEarliestFinished(1).map(\.id) == [ids[1]])
        try store.commit()
        #expect(try store.output(ids[0]) == nil && store.output(ids[1]) == nil && store.output(ids[2]) == outputs[2])
        #expect(try sqlite3("SELECT count(*) FROM outputs") == "2\n")
    }

    @Test func reopensItsOwnDatabase() throws {
        _ = try open()
        #expect(try sqlite3("PRAGMA application_id; PRAGMA user_version; PRAGMA journal_mode") == "\(JobStore.applicationID)\n\(JobStore.schemaVersion)\nwal\n")
        _ = try open()
    }
}
