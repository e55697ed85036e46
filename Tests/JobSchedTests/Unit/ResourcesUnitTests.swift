import Testing
@testable import JobSchedModel

@Suite("Unit: resource requests, capacity and placement")
struct ResourcesUnitTests {
    @Test func memorySizesAreSlurmsSyntax() {
        #expect(MemorySize("500M")?.bytes == 500 << 20)
        #expect(MemorySize("4g")?.bytes == 4 << 30)
        #expect(MemorySize("1T")?.bytes == 1 << 40)
        #expect(MemorySize("64K")?.bytes == 64 << 10)
        // A bare number is megabytes, as Slurm's --mem.
        #expect(MemorySize("2000")?.bytes == 2000 << 20)
        for bad in ["", "0", "0G", "-1", "1.5G", "4GB", "G", "1P", " 4G", "4G ", "99999999999999999", "1025T", "+4G"] {
            #expect(MemorySize(bad) == nil, "\(bad)")
        }
        #expect(MemorySize("1024T") != nil)
        #expect(MemorySize("4G")?.text == "4G" && MemorySize("1536M")?.text == "1536M" && MemorySize("2048")?.text == "2G")
        #expect(MemorySize(bytes: 1000).text == "1000" && MemorySize(bytes: 0).text == "0")
    }

    /// `jobsched ls` shows what jobs ask of the resources the server counts, before the command.
    @Test func theTableShowsTheCountedResources() {
        #expect(JobTable.defaultFields(counting: []) == JobTable.defaultFields)
        #expect(JobTable.defaultFields(counting: ["gpus", "cpus"]) == [.jobid, .name, .group, .status, .returncode, .started, .runtime, .cpus, .gpus, .command])
        var job = Job(id: 3, name: "train", group: "gpu", command: "python train.py", sync: false, submitted: 0)
        job.resources = ResourceRequest(cpus: 2, mem: MemorySize("4G"), gpus: 1)
        let table = JobTable.render([job], fields: JobTable.defaultFields(counting: ["cpus", "mem", "gpus"]), now: 0)
        #expect(table == """
            ID  NAME   GROUP  STATUS  RC  STARTED  RUNTIME  CPUS  MEM  GPUS  COMMAND
            3   train  gpu    queued  -   -        -        2     4G   1     python train.py

            """)
    }

    @Test func aJobOverItsMemorySaysByHowMuch() {
        #expect(MemoryLimit.exceeded(limit: MemorySize("100M")!, used: 300 << 20) == "over its mem=100M: used 300.0M, 200.0M more")
        #expect(MemoryLimit.exceeded(limit: MemorySize("1G")!, used: 1536 << 20) == "over its mem=1G: used 1.5G, 512.0M more")
    }

    @Test func requestsDefaultToOneCPUAndSayTheSyntaxWhenBad() throws {
        #expect(try ResourceRequest(cpus: nil, mem: nil, gpus: nil) == ResourceRequest(cpus: 1, mem: nil, gpus: 0))
        #expect(try ResourceRequest(cpus: "2", mem: "8G", gpus: "1") == ResourceRequest(cpus: 2, mem: MemorySize("8G"), gpus: 1))
        let cases: [(String?, String?, String?, String)] = [
            ("0", nil, nil, "cpus must be a whole number from 1 to 100000, e.g. cpus=2; got '0'"),
            ("-2", nil, nil, "cpus must be a whole number from 1 to 100000, e.g. cpus=2; got '-2'"),
            (nil, "4GB", nil, "mem must be a size such as 500M, 4G or 1T (K, M, G, T: powers of 1024; a bare number is megabytes), e.g. mem=4G; got '4GB'"),
            (nil, nil, "0.5", "gpus must be a whole number from 0 to 1024, e.g. gpus=1; got '0.5'"),
            (nil, nil, "-1", "gpus must be a whole number from 0 to 1024, e.g. gpus=1; got '-1'"),
        ]
        for (cpus, mem, gpus, message) in cases {
            let error = #expect(throws: RequestError.self) { try ResourceRequest(cpus: cpus, mem: mem, gpus: gpus) }
            #expect(error?.status == 400 && error?.message == message)
        }
    }

    /// What can never fit is said in the request's terms, at submit.
    @Test func requestsBeyondTheServerAreRefused() {
        let server = ResourceCapacity(cpus: 4, mem: MemorySize("8G"), gpuIDs: ["0", "1"])
        #expect(server.refusal(of: ResourceRequest(cpus: 4, mem: MemorySize("8G"), gpus: 2)) == nil)
        #expect(server.refusal(of: ResourceRequest(cpus: 8)) == "asks 8 cpus; this server has 4")
        #expect(server.refusal(of: ResourceRequest(mem: MemorySize("16G"))) == "asks 16G of memory; this server has 8G")
        #expect(server.refusal(of: ResourceRequest(gpus: 3)) == "asks 3 gpus; this server has 2")
        // Not counted: anything goes, but GPUs there are none to give.
        let plain = ResourceCapacity()
        #expect(plain.refusal(of: ResourceRequest(cpus: 64, mem: MemorySize("1T"))) == nil)
        #expect(plain.refusal(of: ResourceRequest(gpus: 1)) == "asks 1 gpu; this server has none (start it with --gpus)")
    }

    @Test func gpuIDsComeFromTheListOrNvidiaSMI() {
        #expect(GPUList.parse(nvidiaSMIOutput: "0\n1\r\n 2 \n\n") == ["0", "1", "2"])
        #expect(GPUList.parse(nvidiaSMIOutput: "") == [])
        #expect(GPUList.parse(list: "0,1,2,3") == ["0", "1", "2", "3"])
        #expect(GPUList.parse(list: "GPU-8f2e,GPU-a11c") == ["GPU-8f2e", "GPU-a11c"])
        for bad in ["", "0,,1", "0,0", "0, 1", ","] { #expect(GPUList.parse(list: bad) == nil, "\(bad)") }
    }

    /// GPUs are specific ids: concurrent jobs get disjoint sets, and a freed
    /// one goes to the next job; nothing is taken by a request that does not fit.
    @Test func gpusAreHandedOutDisjointly() throws {
        var pool = ResourcePool(ResourceCapacity(gpuIDs: ["0", "1", "2", "3"]))
        let aAllocation = pool.allocate(ResourceRequest(gpus: 1))
        let a = try #require(aAllocation)
        let bAllocation = pool.allocate(ResourceRequest(gpus: 2))
        let b = try #require(bAllocation)
        #expect(a.gpuIDs == ["0"] && b.gpuIDs == ["1", "2"])
        let allocation1 = pool.allocate(ResourceRequest(gpus: 2))
        #expect(allocation1 == nil)
        #expect(pool.used.gpus == 3)
        pool.release(a)
        let cAllocation = pool.allocate(ResourceRequest(gpus: 2))
        let c = try #require(cAllocation)
        #expect(c.gpuIDs == ["0", "3"] && Set(c.gpuIDs).isDisjoint(with: b.gpuIDs))
        // A CPU job gets none, and fits while GPUs are all taken.
        let allocation2 = pool.allocate(ResourceRequest())
        #expect(allocation2?.gpuIDs == [])
    }

    @Test func whatARequestLacksIsSaid() {
        var pool = ResourcePool(ResourceCapacity(cpus: 4, mem: MemorySize("8G"), gpuIDs: ["0", "1"]))
        let taken = pool.allocate(ResourceRequest(cpus: 2, mem: MemorySize("6G"), gpus: 1))
        #expect(taken != nil)
        #expect(pool.shortfall(of: ResourceRequest(gpus: 2)) == "waiting for 2 gpus: 1 free")
        #expect(pool.shortfall(of: ResourceRequest(cpus: 3)) == "waiting for 3 cpus: 2 free")
        #expect(pool.shortfall(of: ResourceRequest(mem: MemorySize("4G"))) == "waiting for 4G of memory: 2G free")
        #expect(pool.shortfall(of: ResourceRequest(cpus: 2, mem: MemorySize("2G"), gpus: 1)) == nil)
        _ = pool.allocate(ResourceRequest(cpus: 2))
        #expect(pool.shortfall(of: ResourceRequest(cpus: 1)) == "waiting for 1 cpu: 0 free")
    }

    @Test func cpusAndMemoryAreCountedOnlyWhenGiven() throws {
        var counted = ResourcePool(ResourceCapacity(cpus: 4, mem: MemorySize("8G")))
        let allocations = [ResourceRequest(cpus: 3, mem: MemorySize("6G")), ResourceRequest(cpus: 2),
                           ResourceRequest(cpus: 1, mem: MemorySize("4G")), ResourceRequest(cpus: 1, mem: MemorySize("2G"))]
            .map { counted.allocate($0) != nil }
        #expect(allocations == [true, false, false, true])
        #expect(counted.used.cpus == 4 && counted.used.mem == 8 << 30)
        var uncounted = ResourcePool(ResourceCapacity())
        let all = (0..<1000).map { _ in uncounted.allocate(ResourceRequest(cpus: 64, mem: MemorySize("1T"))) != nil }
        #expect(all.allSatisfy { $0 })
        #expect(uncounted.used.cpus == nil && uncounted.used.mem == nil)
    }

    /// With --bind-cpus, a job's cores are neighbours where they can be.
    @Test func boundCoresAreCompact() throws {
        #expect(ResourcePool.compactCores([0, 1, 2, 3], count: 2) == [0, 1])
        #expect(ResourcePool.compactCores([0, 2, 3, 5, 6, 7], count: 3) == [5, 6, 7])
        #expect(ResourcePool.compactCores([0, 4, 5, 9], count: 2) == [4, 5])
        #expect(ResourcePool.compactCores([1, 3], count: 3) == [])
        var pool = ResourcePool(ResourceCapacity(cpus: 8, cpuIDs: Array(0..<8)))
        let oneAllocation = pool.allocate(ResourceRequest(cpus: 1))
        let one = try #require(oneAllocation)
        let threeAllocation = pool.allocate(ResourceRequest(cpus: 3))
        let three = try #require(threeAllocation)
        #expect(one.cpuIDs == [0] && three.cpuIDs == [1, 2, 3])
        pool.release(one)
        // Free: 0, 4, 5, 6, 7: a pair from the run, not 0 and 4.
        let allocation7 = pool.allocate(ResourceRequest(cpus: 2))
        #expect(allocation7?.cpuIDs == [4, 5])
    }

    // MARK: Backfill

    private func amounts(cpus: Int = 1, gpus: Int = 0, jobs: Int = 1) -> ResourceAmounts {
        ResourceAmounts(jobs: jobs, cpus: cpus, mem: 0, gpus: gpus)
    }

    /// A 4-cpu job behind 1-cpu jobs on 4 cpus: a 1-cpu job with no timeout
    /// could hold a cpu the head needs, so it waits; the head starts as soon
    /// as 4 cpus are free once.
    @Test func aSmallJobWithoutTimeoutDoesNotPassAWaitingHead() {
        let free = amounts(cpus: 1, jobs: 7)
        let head = amounts(cpus: 4)
        let running = [(held: amounts(cpus: 1), endsBy: Double?.none), (amounts(cpus: 1), nil), (amounts(cpus: 1), nil)]
        let shadow = Backfill.shadowTime(head: head, free: free, running: running)
        #expect(shadow == nil)
        #expect(!Backfill.mayPass(amounts(cpus: 1), endsBy: nil, free: free, head: head, shadowTime: shadow))
        #expect(!Backfill.mayPass(amounts(cpus: 1), endsBy: 5, free: free, head: head, shadowTime: shadow))
    }

    /// The head is sure to fit once the running jobs' timeouts have passed:
    /// a job whose own timeout ends it by then may use the idle cpus meanwhile.
    @Test func aJobThatEndsBeforeTheHeadsReservationMayPass() {
        let free = amounts(cpus: 2, jobs: 7)
        let head = amounts(cpus: 4)
        let running = [(held: amounts(cpus: 1), endsBy: Double?(100)), (amounts(cpus: 1), 60), (amounts(cpus: 2), nil)]
        // 2 free + the jobs ending at 60 and 100: 4 at 100.
        let shadow = Backfill.shadowTime(head: head, free: free, running: running)
        #expect(shadow == 100)
        #expect(Backfill.mayPass(amounts(cpus: 2), endsBy: 90, free: free, head: head, shadowTime: shadow))
        #expect(Backfill.mayPass(amounts(cpus: 2), endsBy: 100, free: free, head: head, shadowTime: shadow))
        #expect(!Backfill.mayPass(amounts(cpus: 2), endsBy: 101, free: free, head: head, shadowTime: shadow))
        #expect(!Backfill.mayPass(amounts(cpus: 2), endsBy: nil, free: free, head: head, shadowTime: shadow))
        // Even in time, it must fit now.
        #expect(!Backfill.mayPass(amounts(cpus: 3), endsBy: 10, free: free, head: head, shadowTime: shadow))
    }

    /// A job that leaves the head's share of everything free passes at any
    /// time: here the head waits for a GPU, and a CPU job uses spare cpus.
    @Test func aJobBesideTheHeadsShareMayPass() {
        let free = ResourceAmounts(jobs: 5, cpus: 6, mem: 0, gpus: 0)
        let head = amounts(cpus: 2, gpus: 1)
        #expect(Backfill.mayPass(amounts(cpus: 4), endsBy: nil, free: free, head: head, shadowTime: nil))
        #expect(!Backfill.mayPass(amounts(cpus: 5), endsBy: nil, free: free, head: head, shadowTime: nil))
        // Another GPU job would take the GPU the head waits for.
        let oneGPU = ResourceAmounts(jobs: 5, cpus: 6, mem: 0, gpus: 1)
        #expect(!Backfill.mayPass(amounts(cpus: 1, gpus: 1), endsBy: nil, free: oneGPU, head: ResourceAmounts(jobs: 1, cpus: 1, mem: 0, gpus: 2), shadowTime: nil))
        // -j counts too: with one slot free, the head's, nothing passes.
        #expect(!Backfill.mayPass(amounts(cpus: 1), endsBy: nil, free: ResourceAmounts(jobs: 1, cpus: 6, mem: 0, gpus: 0), head: head, shadowTime: nil))
    }
}

/// The scheduler with resources counted: what it starts, and in what order.
@Suite("Unit: scheduling with resources")
struct ResourceSchedulingUnitTests {
    /// Concurrent jobs get disjoint GPUs; a freed GPU goes to the next job.
    @Test func gpuJobsStartWhenTheirGPUsAreFree() {
        var scheduler = Scheduler(limit: 10, resources: ResourceCapacity(gpuIDs: ["0", "1", "2"]))
        scheduler.makeReady(1, group: "g", priority: 0, resources: ResourceRequest(gpus: 2))
        scheduler.makeReady(2, group: "g", priority: 0, resources: ResourceRequest(gpus: 2))
        scheduler.makeReady(3, group: "g", priority: 0)
        // Job 3 asks no GPU: it may pass job 2, which it cannot delay.
        #expect(scheduler.admit() == [1, 3])
        #expect(scheduler.allocation(of: 1)?.gpuIDs == ["0", "1"] && scheduler.allocation(of: 3)?.gpuIDs == [])
        scheduler.finished(1)
        #expect(scheduler.admit() == [2])
        #expect(scheduler.allocation(of: 2)?.gpuIDs == ["0", "1"])
    }

    /// Without --cpus, cpus= is not counted: -j alone limits.
    @Test func uncountedCPUsLimitNothing() {
        var scheduler = Scheduler(limit: 2, resources: ResourceCapacity())
        for id in 1...3 { scheduler.makeReady(JobID(id), group: "g", priority: 0, resources: ResourceRequest(cpus: 64)) }
        #expect(scheduler.admit() == [1, 2])
    }

    /// A 4-cpu job behind a stream of 1-cpu jobs starts as soon as 4 cpus are
    /// free once: the 1-cpu jobs behind it, with no timeout, wait.
    @Test func aBigJobIsNotStarvedByAStreamOfSmallOnes() {
        var scheduler = Scheduler(limit: 100, resources: ResourceCapacity(cpus: 4))
        for id in 1...4 { scheduler.makeReady(JobID(id), group: "g", priority: 0) }
        #expect(scheduler.admit() == [1, 2, 3, 4])
        scheduler.makeReady(5, group: "g", priority: 0, resources: ResourceRequest(cpus: 4))
        var next: JobID = 6
        for ending in 1...3 {
            scheduler.finished(JobID(ending))
            scheduler.makeReady(next, group: "g", priority: 0)
            next += 1
            #expect(scheduler.admit() == [], "after job \(ending) ended")
        }
        scheduler.finished(4)
        #expect(scheduler.admit() == [5])
        scheduler.finished(5)
        #expect(scheduler.admit() == [6, 7, 8])
    }

    /// A job whose timeout ends it before the head is sure to fit uses the
    /// idle cpus meanwhile; one that could run past that time does not.
    @Test func aJobThatEndsInTimeIsBackfilled() {
        var scheduler = Scheduler(limit: 100, resources: ResourceCapacity(cpus: 4))
        scheduler.makeReady(1, group: "g", priority: 0, resources: ResourceRequest(cpus: 2), timeout: 100)
        #expect(scheduler.admit(now: 0) == [1])
        scheduler.makeReady(2, group: "g", priority: 0, resources: ResourceRequest(cpus: 4))
        scheduler.makeReady(3, group: "g", priority: 0, resources: ResourceRequest(cpus: 2), timeout: 200)
        scheduler.makeReady(4, group: "g", priority: 0, resources: ResourceRequest(cpus: 2), timeout: 50)
        // At 10, job 2 is sure to fit at 100: job 4 ends by 60, job 3 could run to 210.
        #expect(scheduler.admit(now: 10) == [4])
        #expect(scheduler.readyIDs == [2, 3])
    }

    /// Group limits and pauses hold for the jobs that pass too.
    @Test func backfillKeepsGroupLimits() {
        var scheduler = Scheduler(limit: 100, resources: ResourceCapacity(gpuIDs: ["0"]))
        scheduler.setLimit(1, for: "small")
        scheduler.makeReady(1, group: "gpu", priority: 0, resources: ResourceRequest(gpus: 1))
        #expect(scheduler.admit() == [1])
        scheduler.makeReady(2, group: "gpu", priority: 0, resources: ResourceRequest(gpus: 1))
        scheduler.makeReady(3, group: "small", priority: 0)
        scheduler.makeReady(4, group: "small", priority: 0)
        #expect(scheduler.admit() == [3])
    }

    /// An edit's new needs apply where the job is in line.
    @Test func newNeedsKeepTheJobsPlace() {
        var scheduler = Scheduler(limit: 100, resources: ResourceCapacity(gpuIDs: ["0"]))
        scheduler.makeReady(1, group: "g", priority: 0, resources: ResourceRequest(gpus: 1))
        scheduler.makeReady(2, group: "g", priority: 0, resources: ResourceRequest(gpus: 1))
        scheduler.makeReady(3, group: "g", priority: 0, resources: ResourceRequest(gpus: 1))
        scheduler.setNeeds(of: 1, resources: ResourceRequest(gpus: 2), timeout: nil)
        #expect(scheduler.admit() == [])
        scheduler.setNeeds(of: 1, resources: ResourceRequest(), timeout: nil)
        #expect(scheduler.admit() == [1, 2])
        #expect(scheduler.readyIDs == [3])
    }
}
