import Testing
@testable import JobSchedAPI
@testable import JobSchedModel

@Suite("Unit: Slurm options, commands and squeue listings")
struct SlurmUnitTests {
    @Test func optionsAreCheckedSoNoValueBecomesAnotherOption() {
        #expect(SlurmOptions.isName("debug") && SlurmOptions.isName("gpu-a100.long_q"))
        #expect(!SlurmOptions.isName("") && !SlurmOptions.isName("--wrap=x") && !SlurmOptions.isName("a b") && !SlurmOptions.isName("a;b"))
        #expect(SlurmOptions.isGres("gpu:1") && SlurmOptions.isGres("gpu:a100:2,shard:1"))
        #expect(!SlurmOptions.isGres("gpu:1:2:3") && !SlurmOptions.isGres("gpu,") && !SlurmOptions.isGres("gpu:$(x)"))
    }

    @Test func submitParametersBecomeOptionsAndBadOnesAreRefusedWithAnExample() throws {
        let request = try SubmitRequest(Parameters([("command", "true"), ("partition", "small"), ("cpus", "4"), ("mem", "2G"),
                                                    ("gres", "gpu:1"), ("nodes", "2"), ("qos", "high")], for: .submit))
        #expect(request.slurm == SlurmOptions(partition: "small", gres: "gpu:1", nodes: 2, qos: "high"))
        #expect(request.resources == ResourceRequest(cpus: 4, mem: MemorySize("2G")))
        #expect(throws: RequestError.badRequest("partition must look like 'debug', not '--x'")) {
            try SubmitRequest(Parameters([("command", "true"), ("partition", "--x")], for: .submit))
        }
        #expect(throws: RequestError.badRequest("cpus must be a whole number from 1 to 100000, e.g. cpus=2; got '0'")) {
            try SubmitRequest(Parameters([("command", "true"), ("cpus", "0")], for: .submit))
        }
    }

    @Test func optionsAreStoredAndReadBack() {
        let options = SlurmOptions(partition: "small", gres: "gpu:1", nodes: 2, qos: "high")
        #expect(options.stored == "partition=small\ngres=gpu:1\nnodes=2\nqos=high")
        #expect(SlurmOptions(stored: options.stored) == options)
        // cpus= and mem= of an older jobsched are the job's resources now (moved by the schema upgrade).
        #expect(SlurmOptions(stored: "partition=small\ncpus=4\nmem=2G") == SlurmOptions(partition: "small"))
        #expect(SlurmOptions(stored: "") == SlurmOptions() && SlurmOptions(stored: "partition=--x\nbogus=1") == SlurmOptions())
    }

    @Test func commandsAreArgumentVectorsWithTheJobsOwnName() {
        let commands = SlurmCommands(database: "/data/jobs.sqlite", defaultPartition: "debug", account: "lab")
        #expect(commands.namePrefix.count == "jobsched-".count + 9 && commands.namePrefix.hasPrefix("jobsched-"))
        #expect(SlurmCommands(database: "/other.sqlite", defaultPartition: nil, account: nil).namePrefix != commands.namePrefix)
        #expect(commands.slurmName(of: 42, attempt: 1) == commands.namePrefix + "42")
        #expect(commands.slurmName(of: 42, attempt: 3) == commands.namePrefix + "42.3")
        #expect(commands.attempt(fromSlurmName: commands.slurmName(of: 42, attempt: 1)) == JobAttempt(id: 42, attempt: 1))
        #expect(commands.attempt(fromSlurmName: commands.slurmName(of: 42, attempt: 3)) == JobAttempt(id: 42, attempt: 3))
        for other in ["jobsched-00000000-42", "wrap", commands.namePrefix + "42.1", commands.namePrefix + "42.x",
                      commands.namePrefix + "42.3.1", commands.namePrefix + ".3"] {
            #expect(commands.attempt(fromSlurmName: other) == nil, "\(other)")
        }

        var job = Job(id: 7, name: "n", group: "g", command: "echo 'it''s' $HOME", sync: false, submitted: 0)
        job.attempts = 1
        job.resources.cpus = 2
        job.resources.gpus = 1
        job.resources.mem = MemorySize("1536M")
        job.timeout = 90
        job.cwd = "/tmp"
        #expect(commands.sbatch(job, script: "/s/7.sh", stdout: "/o", stderr: "/e") == [
            "sbatch", "--parsable", "--no-requeue", "--job-name=\(commands.namePrefix)7", "--output=/o", "--error=/e",
            "--partition=debug", "--account=lab", "--cpus-per-task=2", "--mem=1536M", "--gpus=1", "--time=2", "--chdir=/tmp", "/s/7.sh",
        ])
        // bash runs the command itself; `:` ends sbatch's reading of #SBATCH lines.
        #expect(SlurmCommands.batchScript("#SBATCH --partition=x\necho 'a'") == "#!/bin/bash\n:\n#SBATCH --partition=x\necho 'a'\n")
        job.slurm.partition = "small"
        job.attempts = 2
        #expect(commands.srun(job) == [
            "srun", "--quiet", "--job-name=\(commands.namePrefix)7.2", "--partition=small", "--account=lab",
            "--cpus-per-task=2", "--mem=1536M", "--gpus=1", "--time=2", "--chdir=/tmp", "bash", "-c", "echo 'it''s' $HOME",
        ])
        #expect(SlurmCommands.timeLimit(1) == 1 && SlurmCommands.timeLimit(60) == 1 && SlurmCommands.timeLimit(61) == 2)
    }

    @Test func aControllerThatCannotBeReachedIsToldFromARefusal() {
        let connect = "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)\n"
        let timeout = "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation\n"
        let refusal = "sbatch: error: Batch job submission failed: Invalid partition name specified\n"
        #expect(SlurmCommands.isControllerUnreachable(connect) && SlurmCommands.isControllerUnreachable(timeout))
        #expect(!SlurmCommands.isControllerUnreachable(refusal))
        // A request that never left is sent again; one that may have arrived is looked for first.
        #expect(SlurmCommands.submitFailure(stderr: connect, signaled: false) == .notTaken)
        #expect(SlurmCommands.submitFailure(stderr: "sbatch: error: Slurm temporarily unable to accept job, sleeping and retrying\n", signaled: false) == .notTaken)
        #expect(SlurmCommands.submitFailure(stderr: timeout, signaled: false) == .unanswered)
        #expect(SlurmCommands.submitFailure(stderr: "", signaled: true) == .unanswered)
        #expect(SlurmCommands.submitFailure(stderr: refusal, signaled: false) == .refused)
    }

    @Test func aListingFindsJobsByTheirSlurmIDOrByTheNameOfTheirAttempt() {
        let commands = SlurmCommands(database: "/data/jobs.sqlite", defaultPartition: nil, account: nil)
        let prefix = commands.namePrefix
        let listing = SlurmListing(SlurmJobState.parseListing("""
            20|\(prefix)5|FAILED|node1|None|256|
            21|\(prefix)5.2|CANCELLED|node1|None|15|
            23|\(prefix)5.2|RUNNING|node1|None|0|
            22|\(prefix)6|PENDING||Priority|0|
            24|someone-else|RUNNING|node1|None|0|
            """), commands: commands)
        #expect(listing.state(of: 21)?.state == "CANCELLED" && listing.state(of: 24) == nil)
        // An attempt is never taken for the one before; of two Slurm jobs of one attempt, the latest counts.
        #expect(listing.state(of: JobAttempt(id: 5, attempt: 1))?.slurmJobID == 20)
        #expect(listing.state(of: JobAttempt(id: 5, attempt: 2))?.slurmJobID == 23)
        #expect(listing.state(of: JobAttempt(id: 5, attempt: 3)) == nil)
        #expect(listing.state(of: JobAttempt(id: 6, attempt: 1))?.reason == "Priority")
    }

    @Test func squeueListingsGiveStatesExitStatusesAndReasons() {
        let listing = """
            12|jobsched-0a1b2c3d-5|COMPLETED|node1|None|0|
            13|jobsched-0a1b2c3d-6|FAILED|node1|NonZeroExitCode|768|
            14|a|b name|FAILED|node1|JobLaunchFailure|9|
            15|jobsched-0a1b2c3d-8|PENDING||Resources|0|
            16|jobsched-0a1b2c3d-9|TIMEOUT|node2|TimeLimit|15|
            garbage line
            """
        let states = SlurmJobState.parseListing(listing)
        #expect(states.map(\.slurmJobID) == [12, 13, 14, 15, 16])
        #expect(states[0].termination == .exited(0) && states[0].slurmEndReason == nil && states[0].hasEnded)
        #expect(states[1].termination == .exited(3) && states[1].slurmEndReason == nil)
        #expect(states[2].name == "a|b name" && states[2].termination == .signaled(9))
        #expect(states[3].node == nil && !states[3].hasEnded)
        #expect(states[4].slurmEndReason == "slurm: TIMEOUT (the job's time limit)" && states[4].node == "node2")
    }
}
