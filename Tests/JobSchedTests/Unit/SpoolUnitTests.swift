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
