import Glibc
import Logging
import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: what the spool keeps")
struct SpoolUnitTests {
    private let marker = Spool.cutMarker(maxBytes: 4)

    @Test func outputUpToTheCapIsKeptWhole() {
        #expect(Spool.kept([], maxBytes: 4) == [])
        #expect(Spool.kept(Array("abcd".utf8), maxBytes: 4) == Array("abcd".utf8))
    }

    @Test func longerOutputKeepsItsTailAfterTheCutLine() {
        #expect(String(decoding: marker, as: UTF8.self) == "jobsched: output cut: only the last 4 bytes are kept\n")
        #expect(Spool.kept(Array("abcdef".utf8), maxBytes: 4) == marker + Array("cdef".utf8))
    }

    /// A file already cut is cut again from the output after its cut line.
    @Test func aCutFileIsCutAgainWithOneLine() {
        #expect(Spool.kept(marker + Array("wxyz".utf8), maxBytes: 4) == marker + Array("wxyz".utf8))
        #expect(Spool.kept(marker + Array("wxyz12".utf8), maxBytes: 4) == marker + Array("yz12".utf8))
    }
}

/// Removing jobs' files, a few by name or many in a sweep of the directory, a few names a step.
@Suite("Unit: removing from the spool, on real files")
struct SpoolRemovalUnitTests {
    /// By name (10 jobs: one step), or swept 7 names a step (150 jobs).
    @Test(arguments: [(10, 1), (150, 59)])
    func exactlyTheRemovedJobsFilesGo(count: Int, steps expected: Int) throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.file("spool")
        let spool = try Spool(directory: directory, maxBytes: 4096, database: "test", databaseStartsEmpty: true,
                              logger: Logger(label: "test"))
        let streams: [JobOutputStream] = [.stdout, .stderr]
        for id in 1...300 { for stream in streams where id % 3 != 0 { try writeWholeFile(spool.path(JobID(id), stream), "x") } }
        try writeWholeFile(directory + "/12.notes", "not a job's")
        let removed = Set((1...count).map { JobID($0 * 2) })
        let step = spool.removal(of: IDRanges(removed), namesPerStep: 7)
        var steps = 1
        while step() { steps += 1 }
        // Swept: 402 names (200 jobs' two files, the notes and the database mark), 7 a step, then one that finds none.
        #expect(steps == expected)
        for id in 1...300 {
            for stream in streams {
                let exists = access(spool.path(JobID(id), stream), F_OK) == 0
                #expect(exists == (id % 3 != 0 && !removed.contains(JobID(id))), "job \(id) \(stream)")
            }
        }
        #expect(access(directory + "/12.notes", F_OK) == 0 && access(directory + "/.database", F_OK) == 0)
    }
}
