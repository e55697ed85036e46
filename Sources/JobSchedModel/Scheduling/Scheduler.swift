/// Decides which ready jobs start: at most `limit` running in all, at most a
/// group's own limit in that group, none from a paused group; the highest
/// priority first, then first come, first served.
///
/// Pure bookkeeping with no I/O, so it is unit-tested on its own; the server
/// tells it which jobs are ready and which ended, and asks what to start.
/// Jobs still waiting for a dependency or a start time are not here yet.
package struct Scheduler {
    package struct Group: Equatable {
        package var limit: Int?
        package var paused = false

        package init(limit: Int? = nil, paused: Bool = false) {
            self.limit = limit
            self.paused = paused
        }
    }

    /// The settings under this name apply to every group: pausing all groups
    /// also holds back groups that do not exist yet. No real group is named "".
    package static let allGroups = ""

    package let limit: Int
    package private(set) var groupSettings: [String: Group] = [:]
    private var ready: [String: ReadyQueue] = [:]
    /// Each ready job's group, and when it became ready: first come, first
    /// served across groups. One table for both: a million may be ready.
    private var readyJobs = JobIDMap<(group: String, since: UInt64)>()
    private var readyCounter: UInt64 = 0
    package private(set) var running: [JobID: String] = [:]
    package private(set) var runningPerGroup: [String: Int] = [:]

    package init(limit: Int) {
        precondition(limit >= 1)
        self.limit = limit
    }

    package var readyCount: Int { readyJobs.count }
    package func isReady(_ id: JobID) -> Bool { readyJobs[id] != nil }
    package func readyCount(in group: String) -> Int { ready[group]?.count ?? 0 }
    package func settings(of group: String) -> Group { groupSettings[group] ?? Group() }

    /// Every ready id, in the order each group would start them.
    package var readyIDs: [JobID] { ready.values.flatMap(\.ids) }

    package mutating func makeReady(_ id: JobID, group: String, priority: Int) {
        guard readyJobs[id] == nil, running[id] == nil else { return }
        readyCounter += 1
        readyJobs[id] = (group, readyCounter)
        ready[group, default: ReadyQueue()].append(id, priority: priority)
    }

    /// Takes a ready job out; false if it was not ready.
    package mutating func remove(_ id: JobID) -> Bool {
        guard let group = readyJobs.removeValue(forKey: id)?.group else { return false }
        ready[group]?.remove(id)
        if ready[group]?.isEmpty == true { ready[group] = nil }
        return true
    }

    /// Takes every ready job out at once, however many (a shutdown ends them all).
    package mutating func removeAllReady() {
        (ready, readyJobs) = ([:], JobIDMap())
    }

    /// The jobs to start now, in order; they count as running from here on.
    package mutating func admit() -> [JobID] {
        var started: [JobID] = []
        while running.count < limit, let group = nextGroup(), let id = ready[group]?.popFirst() {
            if ready[group]?.isEmpty == true { ready[group] = nil }
            readyJobs[id] = nil
            running[id] = group
            runningPerGroup[group, default: 0] += 1
            started.append(id)
        }
        return started
    }

    /// The group whose first ready job goes next: highest priority, then the earliest ready.
    private mutating func nextGroup() -> String? {
        var best: (group: String, priority: Int, since: UInt64)?
        for group in Array(ready.keys) where mayStart(in: group) {
            guard let head = ready[group]?.first, let since = readyJobs[head.id]?.since else { continue }
            if let current = best,
               current.priority > head.priority || (current.priority == head.priority && current.since < since) {
                continue
            }
            best = (group, head.priority, since)
        }
        return best?.group
    }

    private func mayStart(in group: String) -> Bool {
        let settings = settings(of: group)
        if settings.paused || self.settings(of: Scheduler.allGroups).paused { return false }
        if let groupLimit = settings.limit, runningPerGroup[group, default: 0] >= groupLimit { return false }
        return true
    }

    /// Counts a job that runs already (one a cluster kept through a restart
    /// of the server) as running, even past the limit: it holds a slot until it ends.
    package mutating func adoptRunning(_ id: JobID, group: String) {
        guard running[id] == nil else { return }
        running[id] = group
        runningPerGroup[group, default: 0] += 1
    }

    /// Frees the slot of a job that was admitted and has ended.
    package mutating func finished(_ id: JobID) {
        guard let group = running.removeValue(forKey: id) else { return }
        runningPerGroup[group, default: 1] -= 1
        if runningPerGroup[group] == 0 { runningPerGroup[group] = nil }
    }

    package mutating func setLimit(_ limit: Int?, for group: String) {
        groupSettings[group, default: Group()].limit = limit
    }

    /// Every group's settings at once: those not listed go back to the defaults.
    package mutating func replaceGroupSettings(with settings: [String: Group]) {
        groupSettings = settings
    }

    /// Pausing `allGroups` holds back every group; resuming it lifts only that switch.
    package mutating func setPaused(_ paused: Bool, group: String) {
        groupSettings[group, default: Group()].paused = paused
    }
}
