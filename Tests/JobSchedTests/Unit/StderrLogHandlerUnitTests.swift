import Logging
import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: log line format")
struct StderrLogHandlerUnitTests {
    @Test func lineHasUTCTimeLevelMessageAndSortedMetadata() {
        let line = StderrLogHandler.format(time: 1_795_931_350.9, level: .info, message: "job 7 started",
                                           metadata: ["name": "build", "group": "default"])
        #expect(String(decoding: line, as: UTF8.self) == "2026-11-29T05:49:10Z info job 7 started group=default name=build\n")
        let bare = StderrLogHandler.format(time: 0, level: .warning, message: "m", metadata: [:])
        #expect(String(decoding: bare, as: UTF8.self) == "1970-01-01T00:00:00Z warning m\n")
    }
}
