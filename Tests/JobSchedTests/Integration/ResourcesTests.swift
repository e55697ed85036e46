import Foundation
import Glibc
import Testing

/// cpus, memory and GPUs handed out by a real server to real jobs. GPUs are
/// ids given with --gpus: what is tested is who gets which, and when.
@Suite("Integration: resources handed to jobs")
struct ResourcesIntegrationTests {
    /// What a job sees of its share.
    private static let showShare = "echo \"cpus=$JOBSCHED_CPUS gpus=${JOBSCHED_GPUS-unset} cuda=${CUDA_VISIBLE_DEVICES-unset}\""

    private func stringField(_ server: ServerProcess, _ id: Int64, _ field: String) -> Any? {
        (try? server.job(id))?[field]
    }

    /// Running jobs get disjoint GPUs; a freed GPU goes to the next job; a
    /// job that asks none sees none; each learns its cpus.
    @Test func gpusAreDisjointAndAFreedOneGoesToTheNextJob() throws {
        let server = try ServerProcess(["-j", "8", "--gpus", "0,1,2"])
        let gates = try (0..<3).map { _ in try server.makeGate() }
        let holders = try gates.map { try server.submitAsync("\(Self.showShare); cat \($0.path)", extra: "&gpus=1") }
        let cpuJob = try server.submitAsync(Self.showShare, extra: "&cpus=2")
        let waiting = try server.submitAsync(Self.showShare, extra: "&gpus=1")
        #expect(server.waitFor(cpuJob) == "job \(cpuJob) success returncode=0\n")
        #expect(server.curl("/output?jobid=\(cpuJob)").body == "cpus=2 gpus= cuda=\n")
        for id in holders { _ = try server.pidOnceRunning(id) }
        let seen = holders.map { server.curl("/output?jobid=\($0)").body }
        #expect(Set(seen) == ["cpus=1 gpus=0 cuda=0\n", "cpus=1 gpus=1 cuda=1\n", "cpus=1 gpus=2 cuda=2\n"], "\(seen)")
        #expect(stringField(server, waiting, "status") as? String == "queued")
        // It says what it waits for, in JSON and text alike.
        #expect(stringField(server, waiting, "msg") as? String == "waiting for 1 gpu: 0 free")
        #expect(server.curl("/jobinfo", data: "jobid=\(waiting)&fields=msg").lines.last == "waiting for 1 gpu: 0 free")
        // The GPU job 2 held goes to the waiting one.
        let freed = try #require(stringField(server, holders[1], "gpu_ids") as? [String])
        try gates[1].open("done")
        #expect(server.waitFor(waiting) == "job \(waiting) success returncode=0\n")
        #expect(server.curl("/output?jobid=\(waiting)").body == "cpus=1 gpus=\(freed[0]) cuda=\(freed[0])\n")
        #expect(stringField(server, waiting, "gpu_ids") as? [String] == freed && stringField(server, waiting, "gpus") as? Int == 1)
        for gate in [gates[0], gates[2]] { try gate.open("done") }
        server.waitFor(holders[0], holders[2])
    }

    /// waiting=resources lists the queued jobs next in line that wait for
    /// resources (not those held by a dependency or a start time), in any
    /// order, with limit= counting only those.
    @Test func jobsWaitingForResourcesCanBeListed() throws {
        let server = try ServerProcess(["-j", "8", "--cpus", "2", "--gpus", "0"])
        let gate = try server.makeGate()
        let holder = try server.submitAsync("cat \(gate.path)", extra: "&cpus=2&gpus=1")
        _ = try server.pidOnceRunning(holder)
        let cpuJob = try server.submitAsync("true", extra: "&name=c")
        let dependent = try server.submitAsync("true", extra: "&after=\(holder)&name=d")
        let later = try server.submitAsync("true", extra: "&at=2099-01-01T00:00:00Z&name=l")
        let gpuJob = try server.submitAsync("true", extra: "&gpus=1&cpus=1&name=g")
        func listed(_ query: String) -> [String] {
            Array(server.curl("/jobinfo?waiting=resources&fields=jobid,msg\(query)").lines.dropFirst())
        }
        #expect(listed("") == ["\(cpuJob)\twaiting for 1 cpu: 0 free", "\(gpuJob)\twaiting for 1 gpu: 0 free"])
        #expect(listed("&limit=1") == ["\(cpuJob)\twaiting for 1 cpu: 0 free"])
        #expect(listed("&sort=-jobid&limit=1") == ["\(gpuJob)\twaiting for 1 gpu: 0 free"])
        #expect(listed("&sort=name") == ["\(cpuJob)\twaiting for 1 cpu: 0 free", "\(gpuJob)\twaiting for 1 gpu: 0 free"])
        #expect(listed("&status=running").isEmpty && listed("&jobid=\(dependent),\(later),\(gpuJob)").count == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(server.curl("/jobinfo?waiting=resources&format=json").body.utf8)) as? [String: Any])
        #expect((json["jobs"] as? [[String: Any]])?.compactMap { $0["jobid"] as? Int } == [Int(cpuJob), Int(gpuJob)])
        let ls = try ClientProcess.run(["ls", "--waiting", "--fields", "jobid"], server: server)
        #expect(ls.stdout.split(separator: "\n").dropFirst() == ["\(cpuJob)", "\(gpuJob)"], "\(ls)")
        let bad = server.curl("/jobinfo?waiting=gpus")
        #expect(bad.status == 400 && bad.body.contains("waiting"), "\(bad.body)")
        try gate.open("done")
        server.waitFor(cpuJob, gpuJob)
        #expect(listed("").isEmpty)
        #expect(server.curl("/kill", data: "jobid=\(later)").status == 200)
    }

    /// Without --gpus, CUDA_VISIBLE_DEVICES is the server's, and JOBSCHED_CPUS is set all the same.
    @Test func withoutGPUsTheEnvironmentIsLeftAlone() throws {
        let server = try ServerProcess(environment: ["CUDA_VISIBLE_DEVICES": "7"])
        let id = try server.submitAsync(Self.showShare, extra: "&cpus=3")
        server.waitFor(id)
        #expect(server.curl("/output?jobid=\(id)").body == "cpus=3 gpus=unset cuda=7\n")
    }

    /// cpus are counted only with --cpus: without it, -j alone limits.
    @Test func cpusAreCountedOnlyWithTheFlag() throws {
        for (arguments, bothRun) in [(["-j", "4"], true), (["-j", "4", "--cpus", "3"], false)] {
            let server = try ServerProcess(arguments)
            let gate = try server.makeGate()
            let first = try server.submitAsync("cat \(gate.path)", extra: "&cpus=2")
            let second = try server.submitAsync("true", extra: "&cpus=2")
            _ = try server.pidOnceRunning(first)
            if bothRun {
                #expect(server.waitFor(second) == "job \(second) success returncode=0\n")
            } else {
                let held = server.curl("/wait", data: "jobid=\(second)&timeout=0.5").body
                #expect(held == "job \(second) queued returncode=-\n")
            }
            try gate.open("go")
            server.waitFor(first, second)
        }
    }

    /// A 2-cpu job behind 1-cpu jobs starts as soon as 2 cpus are free once:
    /// the 1-cpu job queued after it does not take the cpu that frees first.
    @Test func aBigJobIsNotStarvedBySmallOnes() throws {
        let server = try ServerProcess(["-j", "10", "--cpus", "2"])
        let gates = try (0..<2).map { _ in try server.makeGate() }
        let small = try gates.map { try server.submitAsync("cat \($0.path)") }
        for id in small { _ = try server.pidOnceRunning(id) }
        let big = try server.submitAsync("echo big", extra: "&cpus=2")
        let later = try server.submitAsync("echo later")
        try gates[0].open("done")
        server.waitFor(small[0])
        // One cpu is free: the later 1-cpu job would fit, but could delay the big one.
        #expect(server.curl("/wait", data: "jobid=\(later)&timeout=0.5").body == "job \(later) queued returncode=-\n")
        try gates[1].open("done")
        server.waitFor(big, later)
        let started = try [big, later].map { try #require(stringField(server, $0, "started") as? String) }
        #expect(started[0] <= started[1], "\(started)")
    }

    /// What can never fit is refused at submit, and bad values show the syntax.
    @Test func impossibleOrBadRequestsAre400() throws {
        let server = try ServerProcess(["--cpus", "4", "--mem", "8G"])
        let cases = [
            ("cpus=8", "Error: the job asks 8 cpus; this server has 4\n"),
            ("mem=16G", "Error: the job asks 16G of memory; this server has 8G\n"),
            ("gpus=1", "Error: the job asks 1 gpu; this server has none (start it with --gpus)\n"),
            ("cpus=0", "Error: cpus must be a whole number from 1 to 100000, e.g. cpus=2; got '0'\n"),
            ("gpus=0.5", "Error: gpus must be a whole number from 0 to 1024, e.g. gpus=1; got '0.5'\n"),
            ("mem=4GB", "Error: mem must be a size such as 500M, 4G or 1T (K, M, G, T: powers of 1024; a bare number is megabytes), e.g. mem=4G; got '4GB'\n"),
        ]
        for (parameter, message) in cases {
            let reply = server.curl("/submit", data: "command=true&sync=0&\(parameter)")
            #expect(reply.status == 400 && reply.body == message, "\(parameter): \(reply)")
        }
        // A batch is refused whole.
        let batch = server.curl("/submit?sync=0&lines=1&cpus=5", extra: ["--data-binary", "true\ntrue\n"])
        #expect(batch.status == 400 && batch.body == "Error: the job asks 5 cpus; this server has 4\n")
        #expect(server.curl("/jobinfo", data: "all=1&fields=jobid").lines == ["jobid"])
        let fits = try server.submitAsync("true", extra: "&cpus=4&mem=8G")
        server.waitFor(fits)
        #expect(stringField(server, fits, "mem") as? Int == 8 << 30)
        #expect(server.curl("/jobinfo", data: "jobid=\(fits)&fields=cpus,mem,gpus,gpu_ids").lines.last == "4\t8G\t0\t-")
    }

    /// A queued job keeps what it asked across a restart (--resume).
    @Test func aRestartKeepsWhatQueuedJobsAsk() throws {
        let directory = try ScratchDirectory()
        var server = try ServerProcess(["--resume", "--gpus", "0"], directory: directory)
        #expect(server.curl("/pause", data: "group=default").status == 200)
        let id = try server.submitAsync(Self.showShare, extra: "&gpus=1&cpus=2&mem=1G")
        #expect(server.stop() == 0)
        server = try ServerProcess(["--resume", "--gpus", "0"], directory: directory)
        #expect(server.curl("/resume", data: "group=default").status == 200)
        server.waitFor(id)
        #expect(server.curl("/output?jobid=\(id)").body == "cpus=2 gpus=0 cuda=0\n")
        let job = try server.job(id)
        #expect(job["cpus"] as? Int == 2 && job["mem"] as? Int == 1 << 30 && job["gpus"] as? Int == 1 && job["gpu_ids"] as? [String] == ["0"])
    }

    /// /overview and /metrics tell what is used of what is counted.
    @Test func overviewAndMetricsTellWhatIsUsed() throws {
        let server = try ServerProcess(["--cpus", "4", "--mem", "8G", "--gpus", "0,1"])
        let gate = try server.makeGate()
        let id = try server.submitAsync("cat \(gate.path)", extra: "&cpus=2&mem=1G&gpus=1")
        _ = try server.pidOnceRunning(id)
        let overview = try JSONSerialization.jsonObject(with: Data(server.curl("/overview?format=json").body.utf8)) as? [String: Any]
        let resources = overview?["resources"] as? [String: [String: Int]]
        #expect(resources == ["cpus": ["used": 2, "total": 4], "mem": ["used": 1 << 30, "total": 8 << 30], "gpus": ["used": 1, "total": 2]])
        #expect(server.curl("/overview").lines.contains("resources\tcpus 2/4, mem 1G/8G, gpus 1/2"))
        let metrics = server.curl("/metrics").body
        for line in ["jobsched_resource_used{resource=\"cpus\"} 2.0", "jobsched_resource_total{resource=\"mem\"} \(8 << 30).0",
                     "jobsched_resource_used{resource=\"gpus\"} 1.0"] {
            #expect(metrics.contains("\n\(line)\n"), "\(line)")
        }
        try gate.open("done")
        server.waitFor(id)
        #expect(server.curl("/overview").lines.contains("resources\tcpus 0/4, mem 0/8G, gpus 0/2"))
        // Nothing counted: nothing told.
        let plain = try ServerProcess()
        let plainOverview = try JSONSerialization.jsonObject(with: Data(plain.curl("/overview?format=json").body.utf8)) as? [String: Any]
        #expect((plainOverview?["resources"] as? [String: Any])?.isEmpty == true)
        #expect(!plain.curl("/overview").body.contains("resources") && !plain.curl("/metrics").body.contains("jobsched_resource_"))
    }

    /// `jobsched ls` shows what jobs ask of what the server counts; `show` every field.
    @Test func theClientShowsResources() throws {
        let server = try ServerProcess(["--cpus", "4", "--gpus", "0,1"])
        #expect(server.curl("/pause", data: "group=default").status == 200)
        let id = try server.submitAsync("true", extra: "&cpus=3&gpus=2")
        let ls = try ClientProcess.run(["ls"], server: server)
        let lines = ls.stdout.split(separator: "\n")
        #expect(lines.first?.split(separator: " ") == ["ID", "NAME", "GROUP", "STATUS", "RC", "STARTED", "RUNTIME", "CPUS", "GPUS", "COMMAND"], "\(ls)")
        #expect(lines.last?.split(separator: " ") == ["\(id)", "job", "default", "queued", "-", "-", "-", "3", "2", "true"], "\(ls)")
        let show = try ClientProcess.run(["show", "\(id)"], server: server)
        #expect(show.stdout.contains("\nGPUS ") && show.stdout.contains("\nGPU IDS "), "\(show)")
    }

    /// A queued job's resources can be changed (curl and the client), checked as at submit.
    @Test func aQueuedJobsResourcesCanBeEdited() throws {
        let server = try ServerProcess(["--cpus", "4", "--gpus", "0,1"])
        #expect(server.curl("/pause", data: "group=default").status == 200)
        let id = try server.submitAsync(Self.showShare, extra: "&gpus=1")
        #expect(server.curl("/edit", data: "jobid=\(id)&cpus=3&mem=2G").status == 200)
        let edited = try server.job(id)
        #expect(edited["cpus"] as? Int == 3 && edited["mem"] as? Int == 2 << 30 && edited["gpus"] as? Int == 1)
        let tooMany = server.curl("/edit", data: "jobid=\(id)&gpus=3")
        #expect(tooMany.status == 400 && tooMany.body == "Error: the job asks 3 gpus; this server has 2\n")
        let bad = server.curl("/edit", data: "jobid=\(id)&cpus=x")
        #expect(bad.status == 400 && bad.body.hasPrefix("Error: cpus must be a whole number"))
        let client = try ClientProcess.run(["edit", "\(id)", "--gpus", "2", "--cpus", "1"], server: server)
        #expect(client.status == 0, "\(client)")
        #expect(server.curl("/resume", data: "group=default").status == 200)
        server.waitFor(id)
        #expect(server.curl("/output?jobid=\(id)").body == "cpus=1 gpus=0,1 cuda=0,1\n")
    }

    static let hasNvidiaSMI = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/nvidia-smi") }

    /// --gpus auto without nvidia-smi: the server says so and hands out none.
    @Test(.enabled(if: !hasNvidiaSMI, "this machine has nvidia-smi"))
    func autoWithoutNvidiaSMIHandsOutNone() throws {
        let server = try ServerProcess(["--gpus", "auto"])
        #expect(server.log.contains("jobsched: --gpus auto: nvidia-smi lists no GPU (or is not installed): none are handed out"))
        let refused = server.curl("/submit", data: "command=true&sync=0&gpus=1")
        #expect(refused.status == 400 && refused.body == "Error: the job asks 1 gpu; this server has none (start it with --gpus)\n")
    }

    /// The cpus this test process may run on, as the kernel lists them (`0-1`).
    static let allowedCPUs: String = {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
        return line.map { String($0.split(separator: "\t").last ?? "") } ?? ""
    }()

    /// --bind-cpus: each job runs on cpus of its own (its children too), also
    /// when the server starts jobs itself, its spawner gone.
    @Test(.enabled(if: allowedCPUs == "0-1" || allowedCPUs.hasPrefix("0-"), "needs cpus 0 and 1"))
    func boundJobsRunOnCpusOfTheirOwn() throws {
        let server = try ServerProcess(["-j", "4", "--cpus", "2", "--bind-cpus"])
        // grep is the job's child: what it reads is inherited.
        let showCPUs = "grep Cpus_allowed_list /proc/self/status | cut -f2"
        let gates = try (0..<2).map { _ in try server.makeGate() }
        let jobs = try gates.map { try server.submitAsync("\(showCPUs); cat \($0.path)") }
        for id in jobs { _ = try server.pidOnceRunning(id) }
        #expect(eventually { jobs.allSatisfy { server.curl("/output?jobid=\($0)").body.hasSuffix("\n") } })
        #expect(Set(jobs.map { server.curl("/output?jobid=\($0)").body }) == ["0\n", "1\n"])
        #expect(Set(try jobs.map { try #require(try server.job($0)["cpu_ids"] as? [Int]) }) == [[0], [1]])
        for gate in gates { try gate.open("done") }
        server.waitFor(jobs[0], jobs[1])
        let both = try server.submitAsync(showCPUs, extra: "&cpus=2")
        server.waitFor(both)
        #expect(server.curl("/output?jobid=\(both)").body == "0-1\n")
        // Without the spawner, the server pins what it starts itself.
        let spawner = try #require(PeakMemoryIntegrationTests.children(of: server.pid).first { $0.name == "jobsched-spawn" })
        kill(spawner.pid, SIGKILL)
        #expect(eventually { server.log.contains("the job spawner failed") })
        let direct = try server.submitAsync(showCPUs)
        server.waitFor(direct)
        #expect(server.curl("/output?jobid=\(direct)").body == "0\n")
    }

    @Test func bindingNeedsCountedCpusThatExist() throws {
        let without = try ServerProcess.run(["-p", "0", "--bind-cpus"])
        #expect(without.status == 64 && without.stderr.contains("--bind-cpus needs --cpus N"), "\(without)")
        let tooMany = try ServerProcess.run(["-p", "0", "--bind-cpus", "--cpus", "100000"])
        #expect(tooMany.status == 64 && tooMany.stderr.contains("--bind-cpus: --cpus 100000, but this server may run on"), "\(tooMany)")
    }
}
