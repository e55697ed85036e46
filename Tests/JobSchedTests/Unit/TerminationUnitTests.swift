import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: Termination")
struct TerminationUnitTests {
    @Test(arguments: [0, 1, 3, 127, 255] as [Int32])
    func exitCode(code: Int32) {
        let termination = Termination(waitStatus: code << 8)
        #expect(termination == .exited(code))
        #expect(termination.returncode == code)
    }

    @Test(arguments: [1, 2, 9, 15, 31] as [Int32])
    func signal(signal: Int32) {
        let termination = Termination(waitStatus: signal)
        #expect(termination == .signaled(signal))
        #expect(termination.returncode == -signal)
        // The core-dump bit does not change the signal.
        #expect(Termination(waitStatus: signal | 0x80) == .signaled(signal))
    }
}
