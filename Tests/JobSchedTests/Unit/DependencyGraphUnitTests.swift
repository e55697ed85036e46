import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: DependencyGraph")
struct DependencyGraphUnitTests {
    @Test func nothingAddedBlocksNothing() {
        var graph = DependencyGraph()
        #expect(!graph.isBlocked(1) && graph.blockers(of: 1) == [])
        let result = graph.resolve(1, succeeded: true)
        #expect(result.unblocked == [] && result.broken == [])
        graph.remove(1)
        #expect(!graph.isBlocked(1))
    }

    @Test(arguments: [
        // (kind, the dependency succeeded) → (unblocked, broken)
        (DependencyGraph.Kind.afterSuccess, true, [2], []),
        (.afterSuccess, false, [], [2]),
        (.afterAny, true, [2], []),
        (.afterAny, false, [2], []),
    ] as [(DependencyGraph.Kind, Bool, [JobID], [JobID])])
    func singleDependency(kind: DependencyGraph.Kind, succeeded: Bool, unblocked: [JobID], broken: [JobID]) {
        var graph = DependencyGraph()
        graph.add(2, waitsFor: 1, kind: kind)
        #expect(graph.isBlocked(2) && graph.blockers(of: 2) == [1])
        #expect(!graph.isBlocked(1))
        let result = graph.resolve(1, succeeded: succeeded)
        #expect(result.unblocked == unblocked && result.broken == broken)
        // Resolving the same job again changes nothing.
        let again = graph.resolve(1, succeeded: succeeded)
        #expect(again.unblocked == [] && again.broken == [])
        #expect(graph.blockers(of: 2) == [])
    }

    @Test(arguments: [true, false])
    func unblockedOnlyWhenEveryDependencyIsMet(lastSucceeded: Bool) {
        var graph = DependencyGraph()
        graph.add(10, waitsFor: 3, kind: .afterSuccess)
        graph.add(10, waitsFor: 1, kind: .afterSuccess)
        graph.add(10, waitsFor: 2, kind: .afterAny)
        #expect(graph.blockers(of: 10) == [1, 2, 3])

        var result = graph.resolve(3, succeeded: true)
        #expect(result.unblocked == [] && result.broken == [])
        #expect(graph.isBlocked(10) && graph.blockers(of: 10) == [1, 2])

        result = graph.resolve(1, succeeded: true)
        #expect(result.unblocked == [] && result.broken == [])
        #expect(graph.blockers(of: 10) == [2])

        // The last one is afterany: it frees the job however it ended.
        result = graph.resolve(2, succeeded: lastSucceeded)
        #expect(result.unblocked == [10] && result.broken == [])
        #expect(!graph.isBlocked(10) && graph.blockers(of: 10) == [])
    }

    @Test func failedDependencyBreaksAfterWaitersAndFreesAfterAnyWaiters() {
        var graph = DependencyGraph()
        graph.add(4, waitsFor: 1, kind: .afterAny)
        graph.add(2, waitsFor: 1, kind: .afterSuccess)
        graph.add(3, waitsFor: 1, kind: .afterAny)
        graph.add(5, waitsFor: 1, kind: .afterSuccess)
        let result = graph.resolve(1, succeeded: false)
        // Each list is in id order.
        #expect(result.unblocked == [3, 4])
        #expect(result.broken == [2, 5])
    }

    @Test func brokenWaiterWithOtherDependenciesIsForgottenOnRemove() {
        // The server kills a broken job and removes it: its other dependencies must then not free it.
        var graph = DependencyGraph()
        graph.add(3, waitsFor: 1, kind: .afterSuccess)
        graph.add(3, waitsFor: 2, kind: .afterSuccess)
        graph.add(4, waitsFor: 2, kind: .afterAny)
        let first = graph.resolve(1, succeeded: false)
        #expect(first.broken == [3] && first.unblocked == [])
        graph.remove(3)
        #expect(!graph.isBlocked(3) && graph.blockers(of: 3) == [])
        let second = graph.resolve(2, succeeded: true)
        #expect(second.unblocked == [4] && second.broken == [])
    }

    @Test func removeAWaitingJob() {
        var graph = DependencyGraph()
        graph.add(3, waitsFor: 1, kind: .afterSuccess)
        graph.add(3, waitsFor: 2, kind: .afterAny)
        graph.add(4, waitsFor: 1, kind: .afterSuccess)
        graph.remove(3)
        #expect(!graph.isBlocked(3) && graph.blockers(of: 3) == [])
        #expect(graph.isBlocked(4) && graph.blockers(of: 4) == [1])
        var result = graph.resolve(1, succeeded: true)
        #expect(result.unblocked == [4] && result.broken == [])
        result = graph.resolve(2, succeeded: false)
        #expect(result.unblocked == [] && result.broken == [])
        // Removing twice, or a job nothing knows, is harmless.
        graph.remove(3)
        graph.remove(99)
    }

    @Test func removingADependencyThatOthersWaitForKeepsThemWaiting() {
        // `remove` forgets what a job waits for, not who waits for it: the server
        // always resolves a finished job, which is what frees or breaks its waiters.
        var graph = DependencyGraph()
        graph.add(2, waitsFor: 1, kind: .afterSuccess)
        graph.remove(1)
        #expect(graph.isBlocked(2) && graph.blockers(of: 2) == [1])
        let result = graph.resolve(1, succeeded: false)
        #expect(result.broken == [2])
    }

    @Test func chainsAreResolvedOneStepAtATime() {
        var graph = DependencyGraph()
        graph.add(2, waitsFor: 1, kind: .afterSuccess)
        graph.add(3, waitsFor: 2, kind: .afterSuccess)
        let first = graph.resolve(1, succeeded: true)
        #expect(first.unblocked == [2])
        #expect(graph.isBlocked(3))
        let second = graph.resolve(2, succeeded: true)
        #expect(second.unblocked == [3])
        #expect(!graph.isBlocked(3))
    }

    @Test func blockersAreSortedAndDeduplicated() {
        var graph = DependencyGraph()
        for dependency in [9, 4, 7, 4, 1] as [JobID] { graph.add(20, waitsFor: dependency, kind: .afterAny) }
        #expect(graph.blockers(of: 20) == [1, 4, 7, 9])
        _ = graph.resolve(4, succeeded: true)
        #expect(graph.blockers(of: 20) == [1, 7, 9])
    }

    @Test func afterAndAfterAnyOnTheSameJobStillNeedsSuccess() {
        // submit after=1&afterany=1: the server adds afterSuccess first, then afterAny for the same
        // dependency. `after=` promises the job is killed unless 1 succeeds.
        var graph = DependencyGraph()
        graph.add(2, waitsFor: 1, kind: .afterSuccess)
        graph.add(2, waitsFor: 1, kind: .afterAny)
        let result = graph.resolve(1, succeeded: false)
        #expect(result.broken == [2])
        #expect(result.unblocked == [])
    }
}
