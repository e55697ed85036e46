/// The resources a running job holds: how many cpus, which cores (with
/// `--bind-cpus`), how much memory, which GPUs.
package struct Allocation: Equatable, Sendable {
    package var cpus: Int
    package var cpuIDs: [Int]
    package var mem: MemorySize?
    package var gpuIDs: [String]
    /// The server hands out GPUs: a job sees only its own (none if it asked none).
    package var gpusCounted: Bool

    package init(cpus: Int, cpuIDs: [Int] = [], mem: MemorySize? = nil, gpuIDs: [String] = [], gpusCounted: Bool = false) {
        (self.cpus, self.cpuIDs, self.mem, self.gpuIDs, self.gpusCounted) = (cpus, cpuIDs, mem, gpuIDs, gpusCounted)
    }

    /// The variables a job learns its share from: `JOBSCHED_CPUS` always;
    /// where GPUs are handed out, its ids in `CUDA_VISIBLE_DEVICES` and
    /// `JOBSCHED_GPUS`, empty for a job that asked none, so that a CPU job
    /// cannot take a GPU by accident.
    package var environment: [String] {
        let cpus = ["\(Allocation.cpusVariable)=\(self.cpus)"]
        guard gpusCounted else { return cpus }
        let ids = gpuIDs.joined(separator: ",")
        return cpus + ["\(Allocation.gpusVariable)=\(ids)", "CUDA_VISIBLE_DEVICES=\(ids)"]
    }

    package static let cpusVariable = "JOBSCHED_CPUS"
    package static let gpusVariable = "JOBSCHED_GPUS"
}

/// What is free of the server's resources, handed out to jobs as they start
/// and taken back as they end. GPUs and cores are specific ids: no two
/// running jobs share one.
package struct ResourcePool: Sendable {
    package let capacity: ResourceCapacity
    private var freeCPUs: Int?
    /// Sorted.
    private var freeCPUIDs: [Int]
    private var freeMem: Int?
    /// In the order `--gpus` gave them.
    private var freeGPUIDs: [String]

    package init(_ capacity: ResourceCapacity) {
        self.capacity = capacity
        freeCPUs = capacity.cpus
        freeCPUIDs = capacity.cpuIDs.sorted()
        freeMem = capacity.mem?.bytes
        freeGPUIDs = capacity.gpuIDs
    }

    /// What is free, in the terms the scheduler compares (`ResourceAmounts`).
    package var free: ResourceAmounts {
        ResourceAmounts(cpus: freeCPUs ?? ResourceAmounts.unlimited, mem: freeMem ?? ResourceAmounts.unlimited,
                        gpus: freeGPUIDs.count)
    }

    /// What is in use, of what is counted: cpus, bytes, GPUs.
    package var used: (cpus: Int?, mem: Int?, gpus: Int) {
        (capacity.cpus.map { $0 - (freeCPUs ?? 0) }, capacity.mem.map { $0.bytes - (freeMem ?? 0) },
         capacity.gpuIDs.count - freeGPUIDs.count)
    }

    /// Each counted resource, used and in all, as /overview and /metrics tell them (`mem` in bytes).
    package var usage: [(name: String, used: Int, total: Int)] {
        var usage: [(name: String, used: Int, total: Int)] = []
        if let cpus = capacity.cpus { usage.append(("cpus", used.cpus ?? 0, cpus)) }
        if let mem = capacity.mem { usage.append(("mem", used.mem ?? 0, mem.bytes)) }
        if !capacity.gpuIDs.isEmpty { usage.append(("gpus", used.gpus, capacity.gpuIDs.count)) }
        return usage
    }

    /// What a request lacks now, in words (`waiting for 2 gpus: 1 free`); nil if it fits.
    package func shortfall(of request: ResourceRequest) -> String? {
        func count(_ number: Int, _ unit: String) -> String { "\(number) \(unit)\(number == 1 ? "" : "s")" }
        if request.gpus > freeGPUIDs.count { return "waiting for \(count(request.gpus, "gpu")): \(freeGPUIDs.count) free" }
        if let free = freeCPUs, request.cpus > free { return "waiting for \(count(request.cpus, "cpu")): \(free) free" }
        if let free = freeMem, let asked = request.mem, asked.bytes > free {
            return "waiting for \(asked.text) of memory: \(MemorySize(bytes: free).text) free"
        }
        return nil
    }

    package func fits(_ request: ResourceRequest) -> Bool {
        ResourceAmounts(request).fits(in: free)
    }

    /// Takes what `request` asks, or nil (and nothing taken) if it does not fit now.
    package mutating func allocate(_ request: ResourceRequest) -> Allocation? {
        guard fits(request) else { return nil }
        if let cpus = freeCPUs { freeCPUs = cpus - request.cpus }
        if let mem = freeMem, let asked = request.mem { freeMem = mem - asked.bytes }
        var cpuIDs: [Int] = []
        if !capacity.cpuIDs.isEmpty {
            cpuIDs = ResourcePool.compactCores(freeCPUIDs, count: request.cpus)
            freeCPUIDs.removeAll { cpuIDs.contains($0) }
        }
        let gpuIDs = Array(freeGPUIDs.prefix(request.gpus))
        freeGPUIDs.removeFirst(request.gpus)
        return Allocation(cpus: request.cpus, cpuIDs: cpuIDs, mem: request.mem, gpuIDs: gpuIDs, gpusCounted: !capacity.gpuIDs.isEmpty)
    }

    /// Gives back what a job held.
    package mutating func release(_ allocation: Allocation) {
        if let cpus = freeCPUs { freeCPUs = cpus + allocation.cpus }
        if let mem = freeMem, let held = allocation.mem { freeMem = mem + held.bytes }
        if !allocation.cpuIDs.isEmpty { freeCPUIDs = (freeCPUIDs + allocation.cpuIDs).sorted() }
        // Back in `--gpus` order, so the next job gets the first free one.
        let returned = Set(allocation.gpuIDs).union(freeGPUIDs)
        freeGPUIDs = capacity.gpuIDs.filter(returned.contains)
    }

    /// The `count` cores of `free` (sorted) that lie closest together: the
    /// window of neighbouring free ids with the smallest span, the lowest
    /// such first. A job's threads then share caches, not another job's.
    package static func compactCores(_ free: [Int], count: Int) -> [Int] {
        guard count > 0, count <= free.count else { return [] }
        var best = 0
        for start in 0...(free.count - count) where free[start + count - 1] - free[start] < free[best + count - 1] - free[best] {
            best = start
        }
        return Array(free[best..<(best + count)])
    }
}
