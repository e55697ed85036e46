/// Decides which ready jobs start: at most `limit` running in all, at most a
/// group's own limit in that group, none from a paused group; the highest
/// priority first, then first come, first served. With resources counted
/// (`ResourceCapacity`), a job starts once what it asks is free, and hands
/// it back when it ends; a job that does not fit keeps its place at the head,
/// and only jobs that cannot delay it pass it (`Backfill`).
///
/// Pure bookkeeping with no I/O, so it is unit-tested on its own; the server
/// tells it which jobs are ready and which ended, and asks what to start.
/// Jobs still waiting for a dependency or a start time are not here yet.
package struct Scheduler {
    package struct Group: Equatable {
        package var limit: Int?
        package var paused = false
        /// `/group?notify=URL`: where the group's drain is POSTed (not read by the scheduling).
        package var notify: String?

        package init(limit: Int? = nil, paused: Bool = false, notify: String? = nil) {
            self.limit = limit
            self.paused = paused
            self.notify = notify
        }
    }

    /// The settings under this name apply to every group: pausing all groups
    /// also holds back groups that do not exist yet. No real group is named "".
    package static let allGroups = ""

    package let limit: Int
    /// What the server hands out; nil when resources are not counted here (a cluster's executor).
    package private(set) var pool: ResourcePool?
    package private(set) var groupSettings: [String: Group] = [:]
    private var ready: [String: ReadyQueue] = [:]
    /// Each ready job's group, and when it became ready: first come, first
    /// served across groups. One table for both: a million may be ready.
    private var readyJobs = JobIDMap<(group: String, since: UInt64)>()
    private var readyCounter: UInt64 = 0
    package private(set) var running: [JobID: String] = [:]
    package private(set) var runningPerGroup: [String: Int] = [:]
    /// What a ready job asks, when that is not the default (one cpu, no
    /// timeout): most of a million queued jobs ask nothing special.
    private var needs = JobIDMap<Needs>()
    /// What each running job holds, and when its timeout ends it at the latest.
    private var held: [JobID: (allocation: Allocation, endsBy: Double?)] = [:]

    private struct Needs {
        var request: ResourceRequest
        var timeout: Double?
    }

    /// How many jobs behind a head that does not fit are looked at for one
    /// that may pass it: a bounded look, whatever the queue's length.
    package static let backfillDepth = 64

    package init(limit: Int, resources: ResourceCapacity? = nil) {
        precondition(limit >= 1)
        self.limit = limit
        pool = resources.map(ResourcePool.init)
    }

    package var readyCount: Int { readyJobs.count }
    package func isReady(_ id: JobID) -> Bool { readyJobs[id] != nil }
    package func readyCount(in group: String) -> Int { ready[group]?.count ?? 0 }
    package func settings(of group: String) -> Group { groupSettings[group] ?? Group() }

    /// Every ready id, in the order each group would start them.
    package var readyIDs: [JobID] { ready.values.flatMap(\.ids) }

    package mutating func makeReady(_ id: JobID, group: String, priority: Int,
                                    resources: ResourceRequest = ResourceRequest(), timeout: Double? = nil) {
        guard readyJobs[id] == nil, running[id] == nil else { return }
        readyCounter += 1
        readyJobs[id] = (group, readyCounter)
        if resources != ResourceRequest() || timeout != nil { needs[id] = Needs(request: resources, timeout: timeout) }
        ready[group, default: ReadyQueue()].append(id, priority: priority)
    }

    /// A ready job's new needs (an edit), in its place in line.
    package mutating func setNeeds(of id: JobID, resources: ResourceRequest, timeout: Double?) {
        guard readyJobs[id] != nil else { return }
        needs[id] = resources != ResourceRequest() || timeout != nil ? Needs(request: resources, timeout: timeout) : nil
    }

    /// What a running job holds (nil when resources are not counted here).
    package func allocation(of id: JobID) -> Allocation? { held[id]?.allocation }

    /// Takes a ready job out; false if it was not ready.
    package mutating func remove(_ id: JobID) -> Bool {
        guard let group = readyJobs.removeValue(forKey: id)?.group else { return false }
        needs[id] = nil
        ready[group]?.remove(id)
        if ready[group]?.isEmpty == true { ready[group] = nil }
        return true
    }

    /// Takes every ready job out at once, however many (a shutdown ends them all).
    package mutating func removeAllReady() {
        (ready, readyJobs, needs) = ([:], JobIDMap(), JobIDMap())
    }

    /// The jobs to start now, in order; they count as running from here on,
    /// holding what they asked (`allocation(of:)`). `now` dates their
    /// timeouts' ends, which decide what may pass a head that waits.
    package mutating func admit(now: Double = 0) -> [JobID] {
        var started: [JobID] = []
        while running.count < limit, let group = nextGroup(), let head = ready[group]?.first?.id {
            guard start(head, now: now) else {
                // It keeps its place: only what cannot delay it passes it.
                started += backfill(behind: head, now: now)
                break
            }
            started.append(head)
        }
        return started
    }

    /// Starts a ready job if what it asks is free; false if not.
    private mutating func start(_ id: JobID, now: Double) -> Bool {
        guard let group = readyJobs[id]?.group else { return false }
        let need = needs[id]
        var allocation = Allocation(cpus: need?.request.cpus ?? 1)
        if pool != nil {
            guard let taken = pool!.allocate(need?.request ?? ResourceRequest()) else { return false }
            allocation = taken
        }
        // The head is popped, which lets its queue drop what it has consumed; one that passes it is taken out.
        if ready[group]?.first?.id == id { _ = ready[group]?.popFirst() } else { ready[group]?.remove(id) }
        if ready[group]?.isEmpty == true { ready[group] = nil }
        readyJobs[id] = nil
        needs[id] = nil
        running[id] = group
        runningPerGroup[group, default: 0] += 1
        if pool != nil { held[id] = (allocation, need?.timeout.map { now + $0 }) }
        return true
    }

    /// Starts the jobs behind `head` (which does not fit) that may pass it:
    /// of the next `backfillDepth` in line, those `Backfill.mayPass` allows.
    private mutating func backfill(behind head: JobID, now: Double) -> [JobID] {
        guard let pool else { return [] }
        let headNeeds = amounts(needs[head]?.request)
        let shadowTime = Backfill.shadowTime(head: headNeeds, free: free(pool),
                                             running: held.values.map { (amounts($0.allocation), $0.endsBy) })
        var started: [JobID] = []
        for id in nextInLine(after: head) where running.count < limit {
            guard let group = readyJobs[id]?.group, mayStart(in: group), let current = self.pool else { continue }
            let need = needs[id]
            guard Backfill.mayPass(amounts(need?.request), endsBy: need?.timeout.map { now + $0 }, free: free(current),
                                   head: headNeeds, shadowTime: shadowTime), start(id, now: now) else { continue }
            started.append(id)
        }
        return started
    }

    /// The ready jobs after `head` in the order they would start, `backfillDepth`
    /// at most, from the front of each group's queue: as many from each as
    /// share `backfillDepth` (at least its first), so that the look costs about
    /// one pass over the groups, as choosing the next group does, however many there are.
    private func nextInLine(after head: JobID) -> [JobID] {
        let groups = ready.keys.filter(mayStart)
        let perGroup = max(1, (Scheduler.backfillDepth + groups.count - 1) / max(1, groups.count))
        var line: [(id: JobID, priority: Int, since: UInt64)] = []
        for group in groups {
            for job in ready[group]!.prefix(perGroup + 1) where job.id != head {
                line.append((job.id, job.priority, readyJobs[job.id]?.since ?? 0))
            }
        }
        return line.sorted { ($0.priority, $1.since) > ($1.priority, $0.since) }.prefix(Scheduler.backfillDepth).map(\.id)
    }

    private func amounts(_ request: ResourceRequest?) -> ResourceAmounts { ResourceAmounts(request ?? ResourceRequest()) }

    private func amounts(_ allocation: Allocation) -> ResourceAmounts {
        ResourceAmounts(cpus: allocation.cpus, mem: allocation.mem?.bytes ?? 0, gpus: allocation.gpuIDs.count)
    }

    /// What is free, the running-job slots (`-j`) among it.
    private func free(_ pool: ResourcePool) -> ResourceAmounts {
        var free = pool.free
        free.jobs = limit - running.count
        return free
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
        if let allocation = held.removeValue(forKey: id)?.allocation { pool?.release(allocation) }
        runningPerGroup[group, default: 1] -= 1
        if runningPerGroup[group] == 0 { runningPerGroup[group] = nil }
    }

    package mutating func setLimit(_ limit: Int?, for group: String) {
        groupSettings[group, default: Group()].limit = limit
    }

    package mutating func setNotify(_ url: String?, for group: String) {
        groupSettings[group, default: Group()].notify = url
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
