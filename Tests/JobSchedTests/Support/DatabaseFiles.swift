import Foundation
import Glibc

/// The database file and its write-ahead log, made immutable and back.
struct DatabaseFiles {
    /// Root can make a file immutable (`chattr +i`): every commit then fails, as on
    /// a broken disk, while the server and its jobs go on.
    static let canMakeImmutable = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/chattr")

    let paths: [String]

    init(_ server: ServerProcess) { paths = [server.databasePath, server.databasePath + "-wal"] }

    func freeze() throws {
        guard chattr("+i") == 0 else { throw HarnessError("chattr +i failed") }
    }

    func thaw() { _ = chattr("-i") }

    private func chattr(_ flag: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [flag] + paths
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
