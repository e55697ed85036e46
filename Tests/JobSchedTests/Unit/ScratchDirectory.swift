import Foundation

/// A fresh directory for one test, with a database path in it; removed with the test.
final class ScratchDirectory {
    let url: URL
    let databasePath: String

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("jobsched-unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        databasePath = url.appendingPathComponent("jobs.db").path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
