import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: OutputPlan")
struct OutputPlanUnitTests {
    @Test(arguments: [
        // sync, outlog, errlog → stdout, stderr, firstPipeStream, spoolStreams
        (true, nil, nil, OutputTarget.sharedPipe, OutputTarget.sharedPipe, JobOutputStream.both, [JobOutputStream.both]),
        (true, "out.log", nil, .file("out.log"), .sharedPipe, .stderr, [.stderr]),
        (true, nil, "err.log", .sharedPipe, .file("err.log"), .stdout, [.stdout]),
        (true, "out.log", "err.log", .file("out.log"), .file("err.log"), nil, []),
        (false, nil, nil, .ownPipe, .ownPipe, .stdout, [.both, .stdout, .stderr]),
        // stdout goes to a file: the only pipe is stderr's own.
        (false, "out.log", nil, .file("out.log"), .ownPipe, nil, [.stderr]),
        (false, nil, "err.log", .ownPipe, .file("err.log"), .stdout, [.stdout]),
        (false, "out.log", "err.log", .file("out.log"), .file("err.log"), nil, []),
    ] as [(Bool, String?, String?, OutputTarget, OutputTarget, JobOutputStream?, [JobOutputStream])])
    func plan(sync: Bool, outlog: String?, errlog: String?,
              stdout: OutputTarget, stderr: OutputTarget, firstPipeStream: JobOutputStream?, spoolStreams: [JobOutputStream]) {
        let plan = OutputPlan(sync: sync, outlog: outlog, errlog: errlog)
        #expect(plan.stdout == stdout)
        #expect(plan.stderr == stderr)
        #expect(plan.firstPipeStream == firstPipeStream)
        #expect(plan.spoolStreams == spoolStreams)
    }

    @Test(arguments: [true, false])
    func sameFileForBothStreams(sync: Bool) {
        let plan = OutputPlan(sync: sync, outlog: "all.log", errlog: "all.log")
        #expect(plan == OutputPlan(sync: !sync, outlog: "all.log", errlog: "all.log"))
        #expect(plan.stdout == .file("all.log") && plan.stderr == .file("all.log"))
        #expect(plan.firstPipeStream == nil && plan.spoolStreams == [])
    }

    /// Whatever the plan, a pipe's stream is spooled, and `both` only when no stream goes to a file.
    @Test(arguments: [true, false], [nil, "o"] as [String?])
    func everyPipedStreamIsSpooled(sync: Bool, outlog: String?) {
        for errlog in [nil, "e"] as [String?] {
            let plan = OutputPlan(sync: sync, outlog: outlog, errlog: errlog)
            if let first = plan.firstPipeStream { #expect(plan.spoolStreams.contains(first)) }
            if plan.stderr == .ownPipe { #expect(plan.spoolStreams.contains(.stderr)) }
            #expect(plan.spoolStreams.isEmpty == (outlog != nil && errlog != nil))
            #expect(plan.spoolStreams.contains(.both) == (outlog == nil && errlog == nil))
            #expect(![plan.stdout, plan.stderr].contains(.discard))
        }
    }
}
