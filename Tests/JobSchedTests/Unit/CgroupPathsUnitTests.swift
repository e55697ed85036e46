import Testing
@testable import JobSchedModel
@testable import JobSchedSystem

/// Where the server's memory cgroup is, read from captured /proc files.
@Suite("Unit: memory cgroup paths")
struct CgroupPathsUnitTests {
    /// This kind of machine: v1 controllers, and a v2 mount without them (v2 is tried first, and refuses then).
    @Test func aHybridMachineHasBoth() {
        let cgroupFile = "9:name=systemd:/\n4:memory:/process_api/9fb7\n3:cpuset:/\n1:cpu,cpuacct:/\n0::/\n"
        let mountInfo = """
            30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
            33 30 0:29 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory
            34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            40 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """
        let found = CgroupPaths.ownMemoryCgroups(cgroupFile: cgroupFile, mountInfo: mountInfo)
        #expect(found.map(\.0) == [.v2, .v1])
        #expect(found.map(\.1) == ["/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory/process_api/9fb7"])
    }

    /// A systemd machine: v2 only; and a container whose mount shows only its own part of the tree.
    @Test func pureV2AndAContainersMountRoot() {
        let service = CgroupPaths.ownMemoryCgroups(
            cgroupFile: "0::/system.slice/jobsched.service\n",
            mountInfo: "25 1 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot")
        #expect(service.map(\.1) == ["/sys/fs/cgroup/system.slice/jobsched.service"])
        let container = CgroupPaths.ownMemoryCgroups(
            cgroupFile: "0::/docker/abc/inner\n",
            mountInfo: "700 690 0:22 /docker/abc /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw")
        #expect(container.map(\.1) == ["/sys/fs/cgroup/inner"])
        // A cgroup outside what is mounted cannot be reached.
        #expect(CgroupPaths.ownMemoryCgroups(cgroupFile: "0::/elsewhere\n",
                                             mountInfo: "700 690 0:22 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw").isEmpty)
        #expect(CgroupPaths.ownMemoryCgroups(cgroupFile: "", mountInfo: "").isEmpty)
    }

    @Test func countersAreReadFromFlatKeyFiles() {
        let v1 = "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n"
        #expect(CgroupPaths.counter("oom_kill", in: v1) == 2 && CgroupPaths.counter("under_oom", in: v1) == 0)
        let v2 = "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 1\n"
        #expect(CgroupPaths.counter("oom", in: v2) == 1 && CgroupPaths.counter("max", in: v2) == 12)
        #expect(CgroupPaths.counter("oom", in: "") == nil)
    }

    @Test func theKernelsStopSaysWhichLimit() {
        #expect(MemoryLimit.stoppedByKernel(limit: MemorySize("2G")!)
                == "over its mem=2G: it asked for more, and the kernel's out-of-memory killer stopped it")
    }
}
