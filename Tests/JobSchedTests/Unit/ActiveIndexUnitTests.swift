import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: ActiveIndex")
struct ActiveIndexUnitTests {
    private static func job(_ id: JobID, _ name: String, _ group: String) -> Job {
        Job(id: id, name: name, group: group, command: "true", sync: false, submitted: 0)
    }

    @Test func findsJobsByGroupAndByNameWithinAGroup() {
        var index = ActiveIndex()
        for job in [Self.job(3, "a", "g"), Self.job(1, "a", "g"), Self.job(2, "b", "g"), Self.job(4, "a", "h")] {
            index.insert(job)
        }
        #expect(index.jobs(inGroup: "g") == [1, 2, 3])
        #expect(index.firstJob(named: "a", inGroup: "g") == 1)
        #expect(index.firstJob(named: "a", inGroup: "h") == 4)
        #expect(index.firstJob(named: "b", inGroup: "h") == nil)

        index.remove(Self.job(1, "a", "g"))
        #expect(index.firstJob(named: "a", inGroup: "g") == 3)
        index.remove(Self.job(4, "a", "h"))
        #expect(index.jobs(inGroup: "h") == [])
        #expect(index.byGroup["h"] == nil)
    }
}
