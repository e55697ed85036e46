import Foundation
import Glibc
import Logging
import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: when the write-ahead log is checkpointed")
struct CheckpointScheduleUnitTests {
    /// The schedule's answers to commits leaving the log at these lengths.
    private func answers(_ commits: [(frames: Int, running: Bool)], interval: Int = 100) -> [Bool] {
        var schedule = CheckpointSchedule(interval: interval)
        return commits.map { schedule.isDue(frames: $0.frames, running: $0.running) }
    }

    @Test func dueEachTimeTheLogHasGrownByTheInterval() {
        // Counted from where the last one began, not from zero.
        #expect(answers([(10, false), (99, false), (105, false), (150, false), (205, false)])
            == [false, false, true, false, true])
    }

    @Test func neverWhileOneIsRunningButAsSoonAsItHasEnded() {
        #expect(answers([(100, false), (250, true), (260, false)]) == [true, false, true])
    }

    @Test func aLogThatStartedAgainIsCountedFromItsBeginning() {
        // Copied in full: the next commit writes at the log's beginning.
        #expect(answers([(950, false), (5, false), (99, false), (100, false)]) == [true, false, false, true])
    }
}

/// A real store and real helper processes; `/bin/true` stands for a helper
/// that did its work, `/bin/false` for one that failed.
@Suite("Unit: WALCheckpointer on a real SQLite file")
final class WALCheckpointerUnitTests {
    private let scratch: ScratchDirectory
    private var path: String { scratch.databasePath }
    private var directory: URL { scratch.url }

    init() throws { scratch = try ScratchDirectory() }

    private var databaseFileSize: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    /// Commits one job at a time until the checkpointer starts its helper; returns its pid.
    private func commitUntilHelperStarts(_ store: JobStore, _ checkpointer: WALCheckpointer) throws -> pid_t {
        for _ in 0..<20_000 {
            _ = try store.insert(Job(name: "j", group: "g", command: "true", status: .queued, sync: false, submitted: 1))
            try store.commit()
            checkpointer.committed()
            if let pid = checkpointer.helperPID { return pid }
        }
        throw HarnessError("no checkpoint was started after 20000 commits")
    }

    /// Waits for a child and says how it ended.
    private func reap(_ pid: pid_t) -> Termination {
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        return Termination(waitStatus: status)
    }

    private func checkpointer(_ helper: String, _ store: JobStore) -> WALCheckpointer {
        checkpointer([helper], store)
    }

    private func checkpointer(_ command: [String], _ store: JobStore) -> WALCheckpointer {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return WALCheckpointer(command: command, databasePath: path, store: store, logger: logger)
    }

    /// A store, a checkpointer that runs `helper`, and that helper's first run, reaped.
    private func firstHelperRun(_ helper: String) throws
        -> (store: JobStore, checkpointer: WALCheckpointer, pid: pid_t, termination: Termination, sizeBefore: Int) {
        let store = try JobStore(path: path, clear: false)
        let checkpointer = checkpointer(helper, store)
        let sizeBefore = databaseFileSize
        let pid = try commitUntilHelperStarts(store, checkpointer)
        return (store, checkpointer, pid, reap(pid), sizeBefore)
    }

    @Test func theServerLeavesTheCopyingToItsHelper() throws {
        let run = try firstHelperRun("/bin/true")
        #expect(run.store.walFrames >= CheckpointSchedule.defaultInterval)
        #expect(run.checkpointer.reaped(run.pid, run.termination))
        #expect(run.checkpointer.isIdle)
        // SQLite's own checkpoint would have copied the log by now.
        #expect(databaseFileSize == run.sizeBefore)
        #expect(!run.checkpointer.reaped(run.pid, run.termination), "a pid that is no longer the helper's")
    }

    @Test func aFailedHelperIsMadeUpForInTheServer() throws {
        let run = try firstHelperRun("/bin/false")
        #expect(run.termination == .exited(1))
        #expect(databaseFileSize == run.sizeBefore)
        #expect(run.checkpointer.reaped(run.pid, run.termination))
        #expect(databaseFileSize > run.sizeBefore)
        let (frames, copied) = try JobStore.checkpoint(databaseAt: path)
        #expect(frames > 0 && copied == frames)
    }

    /// A helper stuck on a stalled disk must not hold the server's exit.
    @Test func atShutdownARunningHelperIsKilledAndNoneStarts() throws {
        let store = try JobStore(path: path, clear: false)
        // The database path comes after the command, as $1 of this script.
        let checkpointer = checkpointer(["/bin/sh", "-c", "exec sleep 60"], store)
        let pid = try commitUntilHelperStarts(store, checkpointer)
        checkpointer.stop()
        let termination = reap(pid)
        #expect(termination == .signaled(SIGKILL))
        let sizeBefore = databaseFileSize
        #expect(checkpointer.reaped(pid, termination))
        #expect(checkpointer.isIdle)
        #expect(databaseFileSize == sizeBefore, "no checkpoint in the server either: closing the database does it")
        for _ in 0..<2_000 {
            _ = try store.insert(Job(name: "j", group: "g", command: "true", status: .queued, sync: false, submitted: 1))
            try store.commit()
            checkpointer.committed()
        }
        #expect(checkpointer.isIdle)
    }

    @Test func aHelperThatCannotStartIsMadeUpForAtOnce() throws {
        let store = try JobStore(path: path, clear: false)
        let checkpointer = checkpointer(directory.appendingPathComponent("missing").path, store)
        let sizeBefore = databaseFileSize
        for _ in 0..<20_000 where databaseFileSize == sizeBefore {
            _ = try store.insert(Job(name: "j", group: "g", command: "true", status: .queued, sync: false, submitted: 1))
            try store.commit()
            checkpointer.committed()
            #expect(checkpointer.isIdle)
        }
        #expect(databaseFileSize > sizeBefore)
    }

    @Test func theHelpersWorkCopiesTheLogOfAnotherConnection() throws {
        let store = try JobStore(path: path, clear: false)
        store.takeOverCheckpoints()
        for _ in 0..<50 {
            _ = try store.insert(Job(name: "j", group: "g", command: "true", status: .queued, sync: false, submitted: 1))
            try store.commit()
        }
        let sizeBefore = databaseFileSize
        #expect(WALCheckpointer.runHelper(databasePath: path) == nil)
        #expect(databaseFileSize > sizeBefore)
        #expect(WALCheckpointer.runHelper(databasePath: directory.appendingPathComponent("none.db").path)?
            .contains("unable to open") == true)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("none.db").path))
    }
}
