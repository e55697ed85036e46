import Foundation
import Glibc
import Testing

@Suite("Integration: Unix domain socket")
struct UnixSocketIntegrationTests {
    private func curl(_ socket: String, _ path: String, data: String? = nil) -> CurlResult {
        Curl.run(["--unix-socket", socket] + (data.map { ["--data", $0] } ?? []) + ["http://localhost\(path)"])
    }

    @Test func everyCommandWorksOnTheSocketAloneAndTheFileIsRemovedOnExit() throws {
        let directory = try ScratchDirectory()
        let socket = directory.file("jobsched.sock")
        let server = try ServerProcess(["--socket", socket, "--no-tcp"], directory: directory)
        var info = stat()
        #expect(lstat(socket, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o600, "mode \(String(info.st_mode & 0o777, radix: 8))")

        #expect(curl(socket, "/help").body.contains("/submit"))
        let sync = curl(socket, "/submit", data: "command=echo over unix")
        #expect(sync.lines.count == 3 && sync.lines[1] == "over unix", "\(sync)")
        let id = try #require(Int(curl(socket, "/submit", data: "command=sleep 300&sync=0").body
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(curl(socket, "/jobinfo", data: "jobid=\(id)").lines.count == 2)
        #expect(curl(socket, "/kill", data: "jobid=\(id)").body == "Job \(id) has been killed\n")
        #expect(curl(socket, "/wait", data: "jobid=\(id)").body.hasPrefix("job \(id) killed"))
        #expect(curl(socket, "/shutdown").body == "Shutting down server\n")
        #expect(server.waitForExit() == 0)
        #expect(lstat(socket, &info) != 0, "the socket file is left behind")
    }

    @Test func staleSocketIsReplacedButALiveOneOrAnotherFileIsNot() throws {
        let directory = try ScratchDirectory()
        let socket = directory.file("s.sock")
        try makeStaleSocket(at: socket)
        let server = try ServerProcess(["--socket", socket], directory: directory)
        #expect(curl(socket, "/help").status == 200)
        // TCP goes on beside it.
        #expect(server.curl("/help").status == 200)

        let live = try ServerProcess.run(["-p", "0", "--dbfile", directory.file("b.sqlite"), "--socket", socket])
        #expect(live.status == 1 && live.stderr.contains("another server is listening"), "\(live.stderr)")
        #expect(curl(socket, "/help").status == 200)

        let regular = directory.file("not-a-socket")
        try "keep me".write(toFile: regular, atomically: true, encoding: .utf8)
        let refused = try ServerProcess.run(["-p", "0", "--dbfile", directory.file("c.sqlite"), "--socket", regular])
        #expect(refused.status == 1 && refused.stderr.contains("not a socket"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: regular, encoding: .utf8) == "keep me")
    }

    /// A socket file whose server is gone, as a crash leaves it.
    private func makeStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        guard rc == 0 else { throw HarnessError("bind \(path): \(errno)") }
    }
}
