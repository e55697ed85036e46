import Glibc
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

    /// Info lines wait for the end of the loop iteration and go out together;
    /// a notice (or 64 KB waiting) writes what waits and itself at once, in order.
    @Test func infoLinesWaitForTheEndOfTheIteration() throws {
        let scratch = try ScratchDirectory()
        let fd = open(scratch.url.appendingPathComponent("log").path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd) }
        var readOffset = 0
        func written() -> String {
            var bytes = [UInt8](repeating: 0, count: 1 << 17)
            let n = pread(fd, &bytes, bytes.count, off_t(readOffset))
            readOffset += max(n, 0)
            return n > 0 ? String(decoding: bytes[..<n], as: UTF8.self) : ""
        }
        let loop = try EventLoop()
        let output = LogOutput(fd: fd)
        output.writeOncePerIteration(on: loop)
        output.write(Array("queued\n".utf8), urgent: false)
        #expect(written() == "")
        output.write(Array("notice\n".utf8), urgent: true)
        #expect(written() == "queued\nnotice\n")

        output.write(Array("started\n".utf8), urgent: false)
        output.write(Array("ended\n".utf8), urgent: false)
        #expect(written() == "")
        loop.run()  // the iteration ends: its one event, the write, has run
        #expect(written() == "started\nended\n")

        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 1000) + [UInt8(ascii: "\n")]
        for _ in 0..<65 { output.write(long, urgent: false) }
        #expect(written() == "")
        output.write(long, urgent: false)
        #expect(written().count == 66 * 1001)

        output.detach()
        output.write(Array("stopped\n".utf8), urgent: false)
        #expect(written() == "stopped\n")
    }
}
