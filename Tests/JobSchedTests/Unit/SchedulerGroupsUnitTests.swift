import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

/// Priorities, group limits and pauses of `Scheduler`.
@Suite("Unit: Scheduler groups and priorities")
struct SchedulerGroupsUnitTests {
    /// Admits one job at a time, finishing each before the next, until none is admitted.
    private static func runOneByOne(_ scheduler: inout Scheduler) -> [JobID] {
        var started: [JobID] = []
        while let id = scheduler.admit().first {
            started.append(id)
            scheduler.finished(id)
        }
        return started
    }

    @Test(arguments: [
        // (id, group, priority) in the order made ready → the start order with limit 1
        ([(1, "a", 0), (2, "b", 1), (3, "c", 0)], [2, 1, 3]),
        ([(1, "a", 0), (2, "b", 0), (3, "a", 5), (4, "b", 5)], [3, 4, 1, 2]),
        ([(1, "b", -1), (2, "a", -1), (3, "c", -2), (4, "a", 0)], [4, 1, 2, 3]),
        ([(1, "x", 3), (2, "y", 3), (3, "x", 3), (4, "y", 3)], [1, 2, 3, 4]),
        // Within a group the higher priority goes first even if made ready later.
        ([(1, "a", 0), (2, "a", 0), (3, "a", 9), (4, "b", 0)], [3, 1, 2, 4]),
    ] as [([(JobID, String, Int)], [JobID])])
    func highestPriorityAcrossGroupsThenEarliestReady(entries: [(JobID, String, Int)], order: [JobID]) {
        var scheduler = Scheduler(limit: 1)
        for (id, group, priority) in entries { scheduler.makeReady(id, group: group, priority: priority) }
        #expect(Self.runOneByOne(&scheduler) == order)
        #expect(scheduler.readyCount == 0 && scheduler.running.isEmpty)
    }

    @Test func oneAdmitTakesTheHighestPrioritiesUpToTheLimit() {
        var scheduler = Scheduler(limit: 3)
        for (id, group, priority) in [(1, "a", 0), (2, "b", 2), (3, "c", 1), (4, "a", 2), (5, "b", 0)] as [(JobID, String, Int)] {
            scheduler.makeReady(id, group: group, priority: priority)
        }
        #expect(scheduler.admit() == [2, 4, 3])
        #expect(Set(scheduler.readyIDs) == [1, 5])
    }

    @Test func groupLimitTogetherWithTheGlobalLimit() {
        var scheduler = Scheduler(limit: 3)
        scheduler.setLimit(1, for: "a")
        #expect(scheduler.settings(of: "a") == Scheduler.Group(limit: 1, paused: false))
        #expect(scheduler.settings(of: "b") == Scheduler.Group())
        for (id, group) in [(1, "a"), (2, "a"), (3, "a"), (4, "b"), (5, "b"), (6, "b")] as [(JobID, String)] {
            scheduler.makeReady(id, group: group, priority: 0)
        }
        // Group a may run one; the global limit stops b at two.
        #expect(scheduler.admit() == [1, 4, 5])
        #expect(scheduler.runningPerGroup == ["a": 1, "b": 2])
        #expect(scheduler.readyCount(in: "a") == 2 && scheduler.readyCount(in: "b") == 1)

        // A global slot frees but a is still at its limit: b's job goes.
        scheduler.finished(4)
        #expect(scheduler.admit() == [6])
        scheduler.finished(5)
        #expect(scheduler.admit() == [])
        // a's slot frees: its next job goes, only one.
        scheduler.finished(1)
        #expect(scheduler.admit() == [2])
        #expect(scheduler.runningPerGroup == ["a": 1, "b": 1])

        // Raising the group limit lets more in, up to the global limit.
        scheduler.setLimit(5, for: "a")
        #expect(scheduler.admit() == [3])
        #expect(scheduler.running.count == 3)
    }

    @Test func removingAGroupLimit() {
        var scheduler = Scheduler(limit: 4)
        scheduler.setLimit(1, for: "a")
        for id in JobID(1)...3 { scheduler.makeReady(id, group: "a", priority: 0) }
        #expect(scheduler.admit() == [1])
        scheduler.setLimit(nil, for: "a")
        #expect(scheduler.settings(of: "a").limit == nil)
        #expect(scheduler.admit() == [2, 3])
    }

    @Test func groupAtItsLimitDoesNotHoldBackLowerPriorities() {
        var scheduler = Scheduler(limit: 2)
        scheduler.setLimit(1, for: "a")
        scheduler.makeReady(1, group: "a", priority: 9)
        scheduler.makeReady(2, group: "a", priority: 9)
        scheduler.makeReady(3, group: "b", priority: -9)
        #expect(scheduler.admit() == [1, 3])
    }

    @Test func pausingOneGroup() {
        var scheduler = Scheduler(limit: 2)
        scheduler.makeReady(1, group: "a", priority: 5)
        scheduler.makeReady(2, group: "b", priority: 0)
        scheduler.makeReady(3, group: "a", priority: 0)
        scheduler.setPaused(true, group: "a")
        #expect(scheduler.settings(of: "a").paused && !scheduler.settings(of: "b").paused)
        #expect(scheduler.admit() == [2])
        // A job made ready in the paused group waits too; others still start.
        scheduler.makeReady(4, group: "a", priority: 0)
        scheduler.makeReady(5, group: "c", priority: 0)
        #expect(scheduler.admit() == [5])
        #expect(scheduler.readyCount(in: "a") == 3)

        scheduler.finished(2)
        scheduler.finished(5)
        scheduler.setPaused(false, group: "a")
        #expect(scheduler.admit() == [1, 3])
        scheduler.finished(1)
        #expect(scheduler.admit() == [4])
    }

    @Test func pausingARunningGroupKeepsItsJobsRunning() {
        var scheduler = Scheduler(limit: 2)
        scheduler.makeReady(1, group: "a", priority: 0)
        #expect(scheduler.admit() == [1])
        scheduler.setPaused(true, group: "a")
        #expect(scheduler.running == [1: "a"])
        scheduler.finished(1)
        #expect(scheduler.running.isEmpty && scheduler.runningPerGroup.isEmpty)
    }

    @Test func pausingAllGroupsHoldsEveryGroupIncludingNewOnes() {
        var scheduler = Scheduler(limit: 4)
        scheduler.makeReady(1, group: "a", priority: 0)
        scheduler.makeReady(2, group: "b", priority: 0)
        scheduler.setPaused(true, group: Scheduler.allGroups)
        #expect(scheduler.settings(of: Scheduler.allGroups).paused)
        #expect(scheduler.admit() == [])
        // Groups that did not exist when all were paused are held as well.
        scheduler.makeReady(3, group: "new", priority: 100)
        #expect(scheduler.admit() == [])
        #expect(scheduler.readyCount == 3)
        // The group's own switch is separate from the global one.
        #expect(!scheduler.settings(of: "new").paused)

        scheduler.setPaused(false, group: Scheduler.allGroups)
        #expect(scheduler.admit() == [3, 1, 2])
    }

    @Test func resumingAllGroupsLeavesAGroupsOwnPause() {
        var scheduler = Scheduler(limit: 4)
        scheduler.setPaused(true, group: "a")
        scheduler.setPaused(true, group: Scheduler.allGroups)
        scheduler.makeReady(1, group: "a", priority: 0)
        scheduler.makeReady(2, group: "b", priority: 0)
        #expect(scheduler.admit() == [])
        scheduler.setPaused(false, group: Scheduler.allGroups)
        #expect(scheduler.admit() == [2])
        scheduler.setPaused(false, group: "a")
        #expect(scheduler.admit() == [1])
    }

    @Test func removeAReadyJob() {
        var scheduler = Scheduler(limit: 1)
        for (id, group) in [(1, "a"), (2, "a"), (3, "b"), (4, "a")] as [(JobID, String)] {
            scheduler.makeReady(id, group: group, priority: 0)
        }
        #expect(scheduler.isReady(2))
        let removed = [scheduler.remove(2), scheduler.remove(2), scheduler.remove(3), scheduler.remove(77)]
        #expect(removed == [true, false, true, false])
        #expect(!scheduler.isReady(2) && !scheduler.isReady(3))
        #expect(scheduler.readyCount == 2)
        #expect(scheduler.readyCount(in: "a") == 2 && scheduler.readyCount(in: "b") == 0)
        #expect(Self.runOneByOne(&scheduler) == [1, 4])
        // A removed job can be made ready again, and goes after those already ready.
        scheduler.makeReady(5, group: "a", priority: 0)
        scheduler.makeReady(2, group: "a", priority: 0)
        #expect(Self.runOneByOne(&scheduler) == [5, 2])
    }

    @Test func finishedFreesTheGlobalAndTheGroupSlot() {
        var scheduler = Scheduler(limit: 1)
        scheduler.setLimit(1, for: "a")
        for id in JobID(1)...3 { scheduler.makeReady(id, group: "a", priority: 0) }
        scheduler.makeReady(4, group: "b", priority: 0)
        #expect(scheduler.admit() == [1])
        #expect(scheduler.running == [1: "a"] && scheduler.runningPerGroup == ["a": 1])
        scheduler.finished(1)
        #expect(scheduler.running.isEmpty && scheduler.runningPerGroup.isEmpty)
        // Both slots are free again: a's next job (ready before b's) starts.
        #expect(scheduler.admit() == [2])
        scheduler.finished(2)
        scheduler.finished(2)  // twice frees nothing more
        #expect(scheduler.runningPerGroup.isEmpty)
        #expect(scheduler.admit() == [3])
        #expect(scheduler.admit() == [])
        scheduler.finished(3)
        #expect(scheduler.admit() == [4])
    }

    @Test func readyCountPerGroup() {
        var scheduler = Scheduler(limit: 1)
        #expect(scheduler.readyCount(in: "a") == 0)
        for (id, group) in [(1, "a"), (2, "b"), (3, "a"), (4, "a")] as [(JobID, String)] {
            scheduler.makeReady(id, group: group, priority: 0)
        }
        #expect(scheduler.readyCount(in: "a") == 3 && scheduler.readyCount(in: "b") == 1 && scheduler.readyCount(in: "c") == 0)
        #expect(scheduler.readyCount == 4)
        #expect(scheduler.admit() == [1])
        // A running job is no longer ready.
        #expect(scheduler.readyCount(in: "a") == 2 && scheduler.readyCount == 3)
        _ = scheduler.remove(3)
        #expect(scheduler.readyCount(in: "a") == 1)
        #expect(scheduler.readyCount(in: Scheduler.allGroups) == 0)
    }
}
