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

@Suite("Unit: what a finished job's output is kept as")
struct CompactOutputUnitTests {
    private let out = Array("out\n".utf8), err = Array("err\n".utf8)

    /// Each stream once: the two together only when both had output.
    @Test func eachStreamIsKeptOnce() {
        let outOnly = CompactOutput(files: [.both: out, .stdout: out])
        #expect(outOnly == CompactOutput(both: nil, stdout: out, stderr: nil))
        #expect(outOnly.bytes(of: .both) == out && outOnly.bytes(of: .stdout) == out && outOnly.bytes(of: .stderr) == [])
        let errOnly = CompactOutput(files: [.both: err, .stderr: err])
        #expect(errOnly == CompactOutput(both: nil, stdout: nil, stderr: err))
        #expect(errOnly.bytes(of: .both) == err && errOnly.bytes(of: .stdout) == [])
        let both = CompactOutput(files: [.both: err + out, .stdout: out, .stderr: err])
        #expect(both == CompactOutput(both: err + out, stdout: out, stderr: err))
        #expect(both.bytes(of: .both) == err + out)
        // A sync job's streams are kept together only.
        let sync = CompactOutput(files: [.both: out])
        #expect(sync == CompactOutput(both: out, stdout: nil, stderr: nil) && sync.bytes(of: .both) == out)
        // stdout to a file of the user's: stderr alone.
        #expect(CompactOutput(files: [.stderr: err]).bytes(of: .stderr) == err)
    }
}

/// A job's spool files, on real files.
@Suite("Unit: writing and finishing a job's spool files")
struct SpoolWriterUnitTests {
    private let scratch: ScratchDirectory
    private let spool: Spool
    private let out = Array("out\n".utf8), err = Array("err\n".utf8)
    private let big = [UInt8](repeating: UInt8(ascii: "x"), count: CompactOutput.maxBytes + 1)

    init() throws {
        scratch = try ScratchDirectory()
        spool = try Spool(directory: scratch.file("spool"), maxBytes: 100_000, database: "test", databaseStartsEmpty: true,
                          logger: Logger(label: "test"))
    }

    private func write(_ id: JobID, _ chunks: [(JobOutputStream, [UInt8])], holding: Bool = true) -> SpoolWriter {
        let writer = SpoolWriter(spool: spool, id: id, streams: [.both, .stdout, .stderr], holdsSmallOutput: holding)
        for (stream, bytes) in chunks {
            bytes.withUnsafeBytes {
                writer.append($0, to: .both)
                writer.append($0, to: stream)
            }
        }
        return writer
    }

    private func files(_ id: JobID) -> [JobOutputStream] {
        JobOutputStream.allCases.filter { access(spool.path(id, $0), F_OK) == 0 }
    }

    /// Small output is held in memory, where a reader of the running job finds
    /// it, and given back at the end to keep in the database: no file at all.
    @Test func smallOutputMakesNoFile() throws {
        let writer = write(1, [(.stdout, out), (.stderr, err)])
        #expect(writer.heldOutput(.both) == out + err && writer.heldOutput(.stderr) == err)
        #expect(files(1) == [])
        let finished = try #require(writer.finish())
        #expect(finished.output == CompactOutput(both: out + err, stdout: out, stderr: err) && !finished.inFiles)
        #expect(files(1) == [])
        #expect(write(2, []).finish() == nil)
    }

    /// An executor that reads on after a restart (Slurm's) has each byte in a
    /// file at once; small output still goes to the database at the end, and
    /// the caller removes the files.
    @Test func writtenThroughSmallOutputIsInFilesToo() throws {
        let writer = write(1, [(.stdout, out), (.stderr, err)], holding: false)
        #expect(writer.heldOutput(.both) == nil && files(1) == [.both, .stdout, .stderr])
        let finished = try #require(writer.finish())
        #expect(finished.output == CompactOutput(both: out + err, stdout: out, stderr: err) && finished.inFiles)
    }

    /// Past the size held, what was held goes to files first, then the rest;
    /// the two streams together are not kept twice when only one stream
    /// printed: reading them reads that stream's file.
    @Test func bigOutputGoesToFilesWithWhatWasHeld() throws {
        let writer = write(1, [(.stderr, err), (.stderr, big)])
        #expect(writer.heldOutput(.both) == nil && files(1) == [.both, .stderr])
        #expect(writer.finish() == nil)
        #expect(files(1) == [.stderr])
        #expect(spool.read(1, .both) == err + big && spool.read(1, .stderr) == err + big && spool.read(1, .stdout) == nil)
        let kept = try #require(spool.open(1, .both))
        close(kept.fd)
        #expect(kept.length == err.count + big.count)

        #expect(write(2, [(.stdout, big), (.stderr, err)]).finish() == nil)
        #expect(files(2) == [.both, .stdout, .stderr])
        #expect(spool.read(2, .both) == big + err && spool.read(2, .stdout) == big)
    }
}
