import Foundation
import Glibc
import Testing

/// Output the spool cannot keep is never lost without a word: the job's msg,
/// the end of /output and the log say so, and a line marks the gap.
@Suite("Integration: output the spool cannot keep")
struct OutputLossIntegrationTests {
    /// Root can mount a small tmpfs for the spool alone, so that it really fills up.
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, let directory = try? ScratchDirectory() else { return false }
        defer { umount(directory.path) }
        return mount("tmpfs", directory.path, "tmpfs", 0, "size=64k") == 0
    }()

    /// 5,001 bytes of output: more than a job's output held in memory
    /// (`CompactOutput.maxBytes`), so it goes to the spool's files.
    static let fiveKB = "head -c 5000 /dev/zero | tr '\\0' b; echo"

    @Test(.enabled(if: canMountTmpfs, "needs root to mount a small tmpfs"))
    func fullDiskMarksTheGapAndSaysWhatWasLost() throws {
        let directory = try ScratchDirectory()
        let spool = directory.file("spool")
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        #expect(mount("tmpfs", spool, "tmpfs", 0, "size=1m") == 0)
        defer { umount2(spool, Int32(MNT_DETACH)) }
        let server = try ServerProcess(["--spool", spool], directory: directory)
        let filler = fill(spool)
        let gate = try server.makeGate()
        // More than is held in memory: it goes to files, and meets the full disk.
        let id = try server.submitAsync("\(Self.fiveKB); cat \(gate.path); echo after")
        #expect(eventually { server.log.contains("job \(id): output lost (No space left on device)") })
        // Room again: what comes next is kept, after a line that marks the gap.
        unlink(filler)
        try gate.open("go")
        #expect(server.waitFor(id) == "job \(id) success returncode=0\n")
        #expect(try server.job(id)["msg"] as? String == "output lost: 5001 bytes not kept (No space left on device)")
        let output = server.curl("/output?jobid=\(id)").body
        #expect(output == "\njobsched: 5001 bytes of output lost here (No space left on device)\ngo\nafter\n"
                + "jobsched: output lost: 5001 bytes not kept (No space left on device)\n", "\(output)")

        // A job whose output meets a full disk to its end: the last line says it.
        let filler2 = fill(spool)
        defer { unlink(filler2) }
        let big = try server.submitAsync("head -c 300000 /dev/zero | tr '\\0' a; echo END")
        server.waitFor(big)
        let msg = try #require(try server.job(big)["msg"] as? String)
        #expect(msg.hasPrefix("output lost: ") && msg.hasSuffix(" bytes not kept (No space left on device)"), "\(msg)")
        #expect(server.curl("/output?jobid=\(big)").body.hasSuffix("jobsched: \(msg)\n"))
    }

    @Test func removedSpoolDirectoryIsCreatedAgain() throws {
        let server = try ServerProcess()
        let spool = server.databasePath + ".spool"
        let gate = try server.makeGate()
        let running = try server.submitAsync("\(Self.fiveKB); echo first; cat \(gate.path)")
        #expect(eventually { server.curl("/output?jobid=\(running)").body.hasSuffix("\nfirst\n") })
        try FileManager.default.removeItem(atPath: spool)
        try gate.open("go")
        server.waitFor(running)
        // The running job's file went with the directory: its output is lost, and it says so.
        let msg = try server.job(running)["msg"] as? String
        #expect(msg == "output lost: 5010 bytes not kept (its spool file was removed while the job ran)", "\(msg ?? "nil")")
        #expect(server.curl("/output?jobid=\(running)").body == "jobsched: \(msg ?? "")\n")
        // Later jobs keep their output again: the directory is back.
        let next = try server.submitAsync("\(Self.fiveKB); echo kept")
        server.waitFor(next)
        #expect(server.curl("/output?jobid=\(next)").body == String(repeating: "b", count: 5000) + "\nkept\n")
        #expect(FileManager.default.fileExists(atPath: spool))
        #expect(server.log.contains("the spool directory \(spool) had been removed: created it again"))
    }

    /// Fills the file system at `directory` to the last byte; returns the filler file.
    private func fill(_ directory: String) -> String {
        let filler = directory + "/filler-\(UUID().uuidString.prefix(8))"
        let fd = open(filler, O_WRONLY | O_CREAT, 0o600)
        let block = [UInt8](repeating: 7, count: 4096)
        while block.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        close(fd)
        return filler
    }
}
