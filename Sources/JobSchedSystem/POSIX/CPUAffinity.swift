import CSupport

/// The cpus the calling thread may run on (its affinity), which a process it
/// spawns inherits.
package enum CPUAffinity {
    /// Their ids, lowest first; empty if they cannot be read.
    package static func allowed() -> [Int] {
        var ids = [Int32](repeating: 0, count: 8192)
        let count = jobsched_get_affinity(&ids, Int32(ids.count))
        return count > 0 ? ids[..<Int(count)].map(Int.init) : []
    }

    /// Sets them; 0, or the errno of a refusal (an id this machine does not have).
    package static func set(_ cpuIDs: [Int]) -> Int32 {
        let ids = cpuIDs.map(Int32.init)
        return jobsched_set_affinity(ids, Int32(ids.count))
    }
}
