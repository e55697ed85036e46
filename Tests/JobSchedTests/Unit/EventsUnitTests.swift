import Testing
@testable import JobSchedModel
@testable import JobSchedAPI

@Suite struct EventsUnitTests {
    private func job(_ id: JobID, group: String = "g", status: JobStatus = .queued) -> Job {
        var job = Job(id: id, name: "n\(id)", group: group, command: "echo \(id)", sync: false, submitted: 0)
        job.status = status
        return job
    }

    @Test func historyResumesAfterAKeptIdAndRefusesOthers() {
        var history = EventHistory(capacity: 3, firstID: 100)
        #expect(history.events(after: 99)?.isEmpty == true)  // nothing happened yet: nothing missed
        for id: JobID in 1...5 { _ = history.append(.submitted(job(id))) }
        #expect(history.lastID == 104)
        // Kept: the last three (102, 103, 104); resuming after 101 misses nothing kept.
        #expect(history.events(after: 101)?.map(\.id) == [102, 103, 104])
        #expect(history.events(after: 103)?.map(\.event.job?.id) == [5])
        #expect(history.events(after: 104)?.isEmpty == true)
        #expect(history.events(after: 100) == nil)  // event 101 is gone
        #expect(history.events(after: 105) == nil)  // not given out: another run's id
        #expect(history.events(after: 5) == nil)
    }

    /// Bounded in bytes too: events of jobs with 100 KB commands go sooner.
    @Test func historyKeepsAtMostMaxBytes() {
        var history = EventHistory(capacity: 1000, maxBytes: 350_000, firstID: 1)
        var big = job(1)
        big.command = String(repeating: "x", count: 100_000)
        for _ in 1...10 { _ = history.append(.submitted(big)) }
        #expect(history.count == 3 && history.bytes <= 350_000)
        #expect(history.events(after: 7)?.map(\.id) == [8, 9, 10])
        #expect(history.events(after: 6) == nil)
        // Small events fill what is left, up to the count.
        for id: JobID in 1...2000 { _ = history.append(.submitted(job(id))) }
        #expect((600..<700).contains(history.count), "\(history.count) events kept")  // about 530 bytes each
        #expect(history.events(after: history.lastID - 5)?.count == 5 && history.bytes <= 350_000)
        // One event bigger than the bound is still kept, alone.
        big.command = String(repeating: "y", count: 400_000)
        let id = history.append(.finished(big))
        #expect(history.count == 1 && history.events(after: id - 1)?.first?.event.job?.command.count == 400_000)
    }

    @Test func filtersNarrowLikeJobinfo() {
        let all = EventFilter()
        let byGroup = EventFilter(groups: ["a"])
        let byID = EventFilter(ids: [7])
        let failures = EventFilter(statuses: [.failed, .killed])
        #expect(all.matches(.started(job(1))))
        #expect(byGroup.matches(.started(job(1, group: "a"))) && !byGroup.matches(.started(job(1, group: "b"))))
        // An edit is matched on the job as edited: a job moved into group a.
        #expect(byGroup.matches(.edited(job(1, group: "a"))) && !byGroup.matches(.edited(job(1, group: "b"))))
        #expect(ServerEvent.edited(job(1)).name == "edited" && ServerEvent.edited(job(1)).job == job(1))
        #expect(byID.matches(.finished(job(7, status: .success))) && !byID.matches(.finished(job(8, status: .success))))
        #expect(failures.matches(.finished(job(1, status: .killed))) && !failures.matches(.started(job(1, status: .running))))
        // A removal has only ids: jobid= passes it when it names one of them;
        // a group change concerns groups, not single jobs.
        #expect(failures.matches(.removed(IDRanges([1]))) && !byID.matches(.removed(IDRanges([1, 2, 8, 9]))))
        #expect(byID.matches(.removed(IDRanges([1, 2, 3, 4, 5, 6, 7, 8]))))
        let limitA = ServerEvent.groupChanged(name: "a", settings: .init(limit: 2))
        let pauseAll = ServerEvent.groupChanged(name: Scheduler.allGroups, settings: .init(paused: true))
        #expect(byGroup.matches(limitA) && byGroup.matches(pauseAll) && !EventFilter(groups: ["b"]).matches(limitA))
        #expect(!byID.matches(limitA) && byID.matches(.shutdown) && failures.matches(.shutdown))
    }

    @Test func eventsAreSSEWithOneDataLine() {
        var j = job(3, status: .killed)
        j.msg = "line one\nline two"
        let event = ServerEvent.finished(j)
        #expect(event.name == "killed")
        #expect(ServerEvent.finished(job(3, status: .failed)).name == "finished")
        let text = EventStreamText.event(id: 42, name: event.name, data: event.data(now: 0))
        #expect(text.hasPrefix("id: 42\nevent: killed\ndata: {\"jobid\": 3, "))
        #expect(text.hasSuffix("}\n\n"))
        #expect(text.split(separator: "\n").count == 3)  // the msg's newline is escaped
        #expect(EventStreamText.reset(lastID: 9) == "id: 9\nevent: reset\ndata: {}\n\n")
        let removed = ServerEvent.removed(IDRanges([5, 1, 2, 3, 9]))
        #expect(removed.data(now: 0).serialized() == #"{"ranges": [[1, 3], [5, 5], [9, 9]], "count": 5}"#)
    }

    @Test func lastEventIDIsADecimalNumber() {
        #expect(EventStreamText.lastEventID("1764757295123456") == 1_764_757_295_123_456)
        for bad in ["", "-1", "1.5", "abc", "99999999999999999999999", "1 2"] {
            #expect(EventStreamText.lastEventID(bad) == nil, "\(bad)")
        }
        #expect(EventStreamText.lastEventID(nil) == nil)
    }

    @Test func activityKeepsTheLastHourMinuteByMinute() {
        let start = 60.0 * 1000  // minute 1000
        var activity = ActivityHistory(now: start + 5, finishedPerMinute: [1000: 4, 941: 2, 940: 9])
        #expect(activity.minute == 1000)
        #expect(activity.finished.count == 60 && activity.finished.first == 2 && activity.finished.last == 4)
        activity.queueLengthChanged(to: 3, at: start + 10)
        activity.queueLengthChanged(to: 1, at: start + 20)
        activity.jobFinished(at: start + 30)
        #expect(activity.queued.last == 3 && activity.finished.last == 5)
        // Three quiet minutes: nothing finished, the queue stayed at 1.
        activity.advance(to: start + 3 * 60 + 1)
        #expect(activity.minute == 1003)
        #expect(Array(activity.finished.suffix(4)) == [5, 0, 0, 0])
        #expect(Array(activity.queued.suffix(4)) == [3, 1, 1, 1])
        // More than an hour later: all quiet, the queue as it was.
        activity.advance(to: start + 500 * 60)
        #expect(activity.finished == Array(repeating: 0, count: 60) && activity.queued == Array(repeating: 1, count: 60))
    }
}

/// The filters of /events clients indexed by the jobs and groups they name
/// pass exactly the events testing every filter would.
@Suite("Unit: the index of event filters")
struct EventFilterIndexUnitTests {
    private static func job(_ id: JobID, group: String, status: JobStatus) -> Job {
        Job(id: id, name: "n", group: group, command: "true", status: status, sync: false, submitted: 0)
    }

    @Test func passesWhatEveryFilterWould() {
        var filters: [EventFilter] = [EventFilter(), EventFilter(statuses: [.failed])]
        for group in ["a", "b", "c"] { filters.append(EventFilter(groups: [group])) }
        filters.append(EventFilter(groups: ["a", "b"], statuses: [.success]))
        filters.append(EventFilter(ids: [1, 2]))
        filters.append(EventFilter(ids: [3], groups: ["b"]))
        var index = EventFilterIndex()
        filters.forEach { index.insert($0) }
        index.insert(filters[2])  // twice: once in the index
        var events: [ServerEvent] = [.shutdown, .removed(IDRanges([2, 9])), .removed(IDRanges([7])),
                                     .groupChanged(name: "a", settings: .init(limit: 1)),
                                     .groupChanged(name: "z", settings: .init(paused: true)),
                                     .groupChanged(name: Scheduler.allGroups, settings: .init(paused: true))]
        for id: JobID in 1...4 {
            for group in ["a", "b", "z"] {
                events += [.submitted(Self.job(id, group: group, status: .queued)),
                           .finished(Self.job(id, group: group, status: .success)),
                           .finished(Self.job(id, group: group, status: .failed))]
            }
        }
        for event in events {
            let expected = Set(filters.filter { $0.matches(event) })
            let passing = index.filters(passing: event)
            #expect(Set(passing) == expected && passing.count == expected.count, "\(event)")
        }
        // Removed filters pass nothing more.
        filters.forEach { index.remove($0) }
        #expect(index.all.isEmpty && events.allSatisfy { index.filters(passing: $0).isEmpty })
    }
}
