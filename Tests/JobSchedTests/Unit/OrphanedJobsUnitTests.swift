import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: finding a crashed server's job processes")
struct OrphanedJobsUnitTests {
    let mark = Array("JOBSCHED_DATABASE=/data/jobs.sqlite".utf8)

    /// A /proc/PID/stat line: pid, (comm), state, ppid, pgrp, session, then the rest.
    func stat(pid: Int32, comm: String = "sleep", group: Int32, session: Int32) -> String {
        "\(pid) (\(comm)) S 1 \(group) \(session) 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654"
    }

    func environment(_ entries: String...) -> [UInt8] {
        entries.flatMap { (entry: String) -> [UInt8] in Array(entry.utf8) + [0] }
    }

    @Test func aJobProcessIsFoundWithItsGroupAndJobID() {
        let found = OrphanedJobs.jobProcess(
            statLine: stat(pid: 4300, group: 4242, session: 900),
            environment: environment("PATH=/bin", "JOBSCHED_JOB_ID=17", "JOBSCHED_DATABASE=/data/jobs.sqlite"), mark: mark)
        #expect(found?.group == 4242 && found?.jobID == 17)
    }

    @Test func aCommandNameWithSpacesAndParenthesesIsSkipped() {
        let found = OrphanedJobs.jobProcess(
            statLine: stat(pid: 4242, comm: "a) b (c", group: 4242, session: 900),
            environment: environment("JOBSCHED_DATABASE=/data/jobs.sqlite"), mark: mark)
        #expect(found?.group == 4242 && found?.jobID == nil)
    }

    @Test(arguments: [
        // Not marked, or marked for another database (a longer path is another file).
        ["PATH=/bin"],
        ["JOBSCHED_DATABASE=/data/other.sqlite"],
        ["JOBSCHED_DATABASE=/data/jobs.sqlite2"],
        ["XJOBSCHED_DATABASE=/data/jobs.sqlite"],
    ])
    func otherProcessesAreLeftAlone(entries: [String]) {
        let bytes = entries.flatMap { (entry: String) -> [UInt8] in Array(entry.utf8) + [0] }
        #expect(OrphanedJobs.jobProcess(statLine: stat(pid: 4242, group: 4242, session: 900), environment: bytes, mark: mark) == nil)
    }

    @Test func aProcessInASessionOfItsOwnIsLeftAlone() {
        // setsid: a daemon a job started leads its own session, as it is never killed with the job.
        let marked = environment("JOBSCHED_DATABASE=/data/jobs.sqlite")
        #expect(OrphanedJobs.jobProcess(statLine: stat(pid: 5000, group: 5000, session: 5000), environment: marked, mark: mark) == nil)
        #expect(OrphanedJobs.jobProcess(statLine: stat(pid: 5001, group: 5000, session: 5000), environment: marked, mark: mark) == nil)
        #expect(OrphanedJobs.jobProcess(statLine: "garbage", environment: marked, mark: mark) == nil)
    }

    @Test func theJobsOwnEnvironmentCannotReplaceTheMarks() {
        var job = Job(id: 7, name: "job", group: "default", command: "true", sync: false, submitted: 0)
        job.env = ["A=1", "JOBSCHED_JOB_ID=99", "JOBSCHED_DATABASE=/elsewhere", "JOBSCHED_CPUS=64", "CUDA_VISIBLE_DEVICES=0"]
        // Where no GPUs are handed out, the job's own CUDA_VISIBLE_DEVICES stands.
        #expect(JobEnvironment.entries(of: job, database: "/data/jobs.sqlite")
                == ["A=1", "CUDA_VISIBLE_DEVICES=0", "JOBSCHED_JOB_ID=7", "JOBSCHED_DATABASE=/data/jobs.sqlite", "JOBSCHED_CPUS=1"])
        job.allocation = Allocation(cpus: 2, gpuIDs: ["1", "3"], gpusCounted: true)
        #expect(JobEnvironment.entries(of: job, database: nil)
                == ["A=1", "JOBSCHED_JOB_ID=7", "JOBSCHED_CPUS=2", "JOBSCHED_GPUS=1,3", "CUDA_VISIBLE_DEVICES=1,3"])
        // A job that asked none sees none.
        job.allocation = Allocation(cpus: 1, gpusCounted: true)
        #expect(JobEnvironment.entries(of: job, database: nil).suffix(2) == ["JOBSCHED_GPUS=", "CUDA_VISIBLE_DEVICES="])
    }

    /// A job's memory is its process group's resident pages (the 22nd field after the name).
    @Test func processGroupAndResidentPagesAreReadFromStat() {
        let line = "31796 (cat) R 31794 31794 14196 0 -1 4194304 102 0 0 0 0 0 0 0 20 0 1 0 4850836 3133440 408 18446744073709551615 94697079787520 0"
        #expect(ProcessGroupMemory.groupAndResidentPages(statLine: line)! == (31794, 408))
        let oddName = "7 (a) b (c) S 1 700 700 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1 1 99 0"
        #expect(ProcessGroupMemory.groupAndResidentPages(statLine: oddName)! == (700, 99))
        #expect(ProcessGroupMemory.groupAndResidentPages(statLine: "garbage") == nil)
        #expect(ProcessGroupMemory.groupAndResidentPages(statLine: "7 (x) S 1 700") == nil)
    }
}
