import Glibc
import Testing
@testable import JobSchedCore

@Suite("Unit: ProcessIdentity")
struct ProcessIdentityUnitTests {
    @Test func startTimeParsedAfterTheLastParenthesis() {
        // A command name may hold spaces and parentheses of its own.
        let line = "4242 (a b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 1000 10 18446744073709551615"
        #expect(ProcessIdentity.startTime(statLine: line) == 987_654)
        #expect(ProcessIdentity.startTime(statLine: "4242 (x) S 1") == nil)
        #expect(ProcessIdentity.startTime(statLine: "garbage") == nil)
    }

    /// The time taken from the clock before a spawn names the process /proc
    /// shows, and a time a few seconds off does not.
    @Test func clockBeforeTheSpawnMatchesProc() throws {
        let before = ProcessIdentity.now()
        let process = try ProcessLauncher.launch(command: "sleep 30", stdout: .discard, stderr: .discard)
        defer {
            kill(-process.pid, SIGKILL)
            var status: Int32 = 0
            waitpid(process.pid, &status, 0)
        }
        let proc = try #require(ProcessIdentity.startTime(of: process.pid))
        #expect(proc >= before - 1 && proc <= ProcessIdentity.now())
        #expect(ProcessIdentity.isProcess(process.pid, startedAt: before))
        let ticks = ProcessIdentity.ticksPerSecond
        #expect(!ProcessIdentity.isProcess(process.pid, startedAt: before + 5 * ticks))
        #expect(!ProcessIdentity.isProcess(process.pid, startedAt: before - 5 * ticks))
    }

    @Test func noSuchProcess() {
        // Above the largest pid Linux allows (2^22).
        #expect(ProcessIdentity.startTime(of: 5_000_000) == nil)
        #expect(!ProcessIdentity.isProcess(5_000_000, startedAt: ProcessIdentity.now()))
    }
}
