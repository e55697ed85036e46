import Foundation

/// A fresh directory for one test, with a database path in it; removed with
/// the last reference to it, so also when the test fails. A `ServerProcess`
/// keeps a reference to its directory: the directory outlives the server.
final class ScratchDirectory {
    let url: URL
    let databasePath: String

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("jobsched-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        databasePath = url.appendingPathComponent("jobs.db").path
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var path: String { url.path }

    /// The path of `name` in this directory.
    func file(_ name: String) -> String { url.appendingPathComponent(name).path }
}
