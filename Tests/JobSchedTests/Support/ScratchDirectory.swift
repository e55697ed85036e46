import Foundation
import Glibc

/// A fresh directory for one test, with a database path in it; removed with
/// the last reference to it, so also when the test fails. A `ServerProcess`
/// keeps a reference to its directory: the directory outlives the server.
/// Any job process of a server on this directory still alive then (a test
/// that killed its server with SIGKILL and failed before a restart cleaned
/// up, a daemon a job started with setsid) is killed with it.
final class ScratchDirectory {
    let url: URL
    let databasePath: String

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("jobsched-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        databasePath = url.appendingPathComponent("jobs.db").path
    }

    deinit {
        killJobProcessesLeftBehind()
        try? FileManager.default.removeItem(at: url)
    }

    /// Job processes carry their server's database in JOBSCHED_DATABASE.
    private func killJobProcessesLeftBehind() {
        let mark = Array(url.lastPathComponent.utf8)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid(),
                  let environment = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let isJob = environment.split(separator: 0).contains { variable in
                variable.starts(with: Array("JOBSCHED_DATABASE=".utf8)) && variable.firstRange(of: mark) != nil
            }
            if isJob { kill(pid, SIGKILL) }
        }
    }

    var path: String { url.path }

    /// The path of `name` in this directory.
    func file(_ name: String) -> String { url.appendingPathComponent(name).path }
}
