import Foundation
import Glibc
import Testing

/// A small tmpfs holds the database, so the disk can really fill up. Needs
/// root (CI runs as root); skipped where mounting is not allowed.
private let canMountTmpfs: Bool = {
    guard getuid() == 0, let directory = try? ScratchDirectory() else { return false }
    defer { umount(directory.path) }
    return mount("tmpfs", directory.path, "tmpfs", 0, "size=64k") == 0
}()

@Suite("Integration: an unwritable database", .enabled(if: canMountTmpfs, "needs root to mount a small tmpfs"))
struct DiskFullIntegrationTests {
    @Test func fullDiskRefusesSubmitsAndRecovers() throws {
        let directory = try ScratchDirectory()
        #expect(mount("tmpfs", directory.path, "tmpfs", 0, "size=4m") == 0)
        defer { unmount(directory) }
        let server = try ServerProcess(directory: directory)
        let gate = try server.makeGate()
        let running = try server.submitAsync("cat \(gate.path)")

        let filler = fillDisk(directory)

        // Submits fail with the SQLite error and no id; enough of them to spill out of SQLite's cache.
        var refused = 0
        for _ in 0..<200 {
            let result = server.curl("/submit", data: "command=echo \(String(repeating: "x", count: 2000))&sync=0")
            if result.status == 503 {
                refused += 1
                #expect(result.body.hasPrefix("Error: database: ") && !result.body.contains("\n1"))
            } else {
                #expect(result.status == 200)
            }
        }
        #expect(refused > 0)
        // The running job still finishes, and the server still answers.
        try gate.open("go")
        #expect(server.waitFor(running) == "job \(running) success returncode=0\n")

        // Room again: submits work, and the finished job's state reaches the file.
        unlink(filler)
        let after = try server.submitAsync("true")
        #expect(server.waitFor(after).contains("success"))
        #expect(eventually {
            let sqlite = Process()
            sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
            sqlite.arguments = [server.databasePath, "SELECT status FROM jobs WHERE id = \(running)"]
            let output = Pipe()
            sqlite.standardOutput = output
            guard (try? sqlite.run()) != nil else { return false }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            sqlite.waitUntilExit()
            return text == "success\n"
        })
        #expect(server.stop() == 0)
    }

    /// A failed commit answers 503 and changes nothing: a group limit set in
    /// that request is not in force, and a removed job keeps its row and output.
    @Test func failedCommitsLeaveSettingsAndOutputAsTheyWere() throws {
        let directory = try ScratchDirectory()
        #expect(mount("tmpfs", directory.path, "tmpfs", 0, "size=4m") == 0)
        defer { unmount(directory) }
        let server = try ServerProcess(directory: directory)
        var finished: [Int64] = []
        for _ in 0..<20 {
            let id = try server.submitAsync("echo kept $JOBSCHED_JOB_ID")
            #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
            finished.append(id)
        }
        fillDisk(directory)

        // Commits fail once the write-ahead log needs room it cannot get; until
        // then (or after a checkpoint lets it start over) they succeed.
        var refusedGroup = false, refusedRemove = false
        for attempt in 0..<300 where !(refusedGroup && refusedRemove) {
            let limit = 100 + attempt
            let group = server.curl("/group", data: "name=g&limit=\(limit)")
            #expect(group.status == 200 || group.status == 503, "\(group)")
            if group.status == 503 {
                refusedGroup = true
                #expect(!server.curl("/group").body.contains("g\t\(limit)\t"))
            }
            guard let id = finished.first else { continue }
            let remove = server.curl("/remove", data: "jobid=\(id)")
            #expect(remove.status == 200 || remove.status == 503, "\(remove)")
            if remove.status == 503 {
                refusedRemove = true
                #expect(server.curl("/output?jobid=\(id)").body == "kept \(id)\n")
                #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
            } else {
                finished.removeFirst()
            }
        }
        #expect(refusedGroup && refusedRemove)
        #expect(server.stop() == 0)
    }

    /// Detaches the tmpfs, then removes its mount point (whichever of this
    /// and the directory's own removal runs last finds it empty).
    private func unmount(_ directory: ScratchDirectory) {
        umount2(directory.path, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: directory.path)
    }

    /// Fills the tmpfs at `directory` to the last byte; returns the filler file.
    @discardableResult
    private func fillDisk(_ directory: ScratchDirectory) -> String {
        let filler = directory.file("filler")
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 7, count: 64 * 1024)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return filler
    }
}
