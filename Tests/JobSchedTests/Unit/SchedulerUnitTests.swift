import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

/// The global limit and slot bookkeeping of `Scheduler` (group limits, pauses
/// and priorities are left to the scheduler's own feature tests).
@Suite("Unit: Scheduler")
struct SchedulerUnitTests {
    @Test func admitsUpToTheLimitInOrder() {
        var scheduler = Scheduler(limit: 2)
        for id in JobID(1)...5 { scheduler.makeReady(id, group: "default", priority: 0) }
        #expect(scheduler.admit() == [1, 2])
        #expect(scheduler.admit() == [])
        #expect(Set(scheduler.running.keys) == [1, 2])
        #expect(scheduler.readyIDs == [3, 4, 5])

        scheduler.finished(1)
        #expect(scheduler.admit() == [3])
        // 2 is running, not ready.
        let removed = [scheduler.remove(4), scheduler.remove(4), scheduler.remove(2)]
        #expect(removed == [true, false, false])
        scheduler.finished(2)
        scheduler.finished(3)
        #expect(scheduler.admit() == [5])
        #expect(Set(scheduler.running.keys) == [5])
        #expect(scheduler.readyCount == 0)
    }

    @Test func firstComeFirstServedAcrossGroups() {
        var scheduler = Scheduler(limit: 1)
        for (id, group) in [(1, "b"), (2, "a"), (3, "c"), (4, "a"), (5, "b")] as [(JobID, String)] {
            scheduler.makeReady(id, group: group, priority: 0)
        }
        var started: [JobID] = []
        while let id = scheduler.admit().first {
            started.append(id)
            scheduler.finished(id)
        }
        #expect(started == [1, 2, 3, 4, 5])
    }

    @Test func readyOrRunningJobsAreNotAddedTwice() {
        var scheduler = Scheduler(limit: 1)
        scheduler.makeReady(1, group: "g", priority: 0)
        scheduler.makeReady(2, group: "g", priority: 0)
        scheduler.makeReady(2, group: "g", priority: 0)
        #expect(scheduler.admit() == [1])
        scheduler.makeReady(1, group: "g", priority: 0)
        #expect(scheduler.readyCount == 1 && scheduler.readyIDs == [2])
    }

    @Test func finishingAnUnknownJobFreesNothing() {
        var scheduler = Scheduler(limit: 1)
        scheduler.makeReady(1, group: "g", priority: 0)
        scheduler.makeReady(2, group: "g", priority: 0)
        #expect(scheduler.admit() == [1])
        scheduler.finished(2)
        scheduler.finished(42)
        #expect(scheduler.admit() == [])
        #expect(Set(scheduler.running.keys) == [1])
    }

    @Test(arguments: [1, 2, 3, 8])
    func neverExceedsTheLimit(limit: Int) {
        var scheduler = Scheduler(limit: limit)
        var started: [JobID] = []
        var running: [JobID] = []
        var next: JobID = 1
        // Bursts of submissions into a few groups; each round the oldest running job ends.
        for round in 0..<60 {
            for _ in 0..<(round % 4) {
                scheduler.makeReady(next, group: "g\(next % 3)", priority: 0)
                next += 1
            }
            let admitted = scheduler.admit()
            started += admitted
            running += admitted
            #expect(scheduler.running.count <= limit)
            #expect(Set(running) == Set(scheduler.running.keys))
            if scheduler.readyCount > 0 { #expect(scheduler.running.count == limit) }
            if !running.isEmpty { scheduler.finished(running.removeFirst()) }
        }
        #expect(started == Array(1..<(1 + JobID(started.count))))
        #expect(JobID(started.count + scheduler.readyCount) == next - 1)
    }

    @Test func limitMustBePositive() async {
        await #expect(processExitsWith: .failure) { _ = Scheduler(limit: 0) }
    }
}
