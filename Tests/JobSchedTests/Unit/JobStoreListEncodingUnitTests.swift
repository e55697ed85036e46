import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: JobStore list encoding")
struct JobStoreListEncodingUnitTests {
    @Test(arguments: [
        [],
        ["A=1"],
        ["A=1", "B=x y"],
        ["PATH=/usr/bin:/bin", "URL=http://h:80/a:b"],
        ["3:abc", "12:", ":", "::", "0:"],
        ["1", "22", "333", "4444"],
        ["", "", ""],
        ["", "A=1", ""],
        ["É=é", "K=✓ 😀", "家=族", "COMBINING=e\u{301}"],
        ["MULTI=line1\nline2", "CRLF=a\r\nb", "\n", "TAB=\t"],
        ["NUL=a\u{0}b", "BACKSLASH=\\n", "QUOTE=\"'"],
        [String(repeating: "x", count: 10_000)],
    ] as [[String]])
    func roundTrip(items: [String]) {
        let encoded = JobStore.encodeList(items)
        #expect(JobStore.decodeList(encoded) == items)
    }

    @Test(arguments: [
        ([], ""),
        (["A=1"], "3:A=1"),
        (["A=1", "B=x y"], "3:A=15:B=x y"),
        ([""], "0:"),
        (["é"], "2:é"),
        (["😀"], "4:😀"),
        (["a\r\nb"], "4:a\r\nb"),
    ] as [([String], String)])
    func lengthPrefixedInUTF8Bytes(items: [String], encoded: String) {
        #expect(JobStore.encodeList(items) == encoded)
    }

    @Test func decodingNothingGivesNothing() {
        #expect(JobStore.decodeList("") == [])
        #expect(JobStore.decodeList(nil) == [])
    }

    @Test(arguments: [
        ("5:abc", []),               // shorter than its length
        ("3:abc9:de", ["abc"]),      // a valid head, then a truncated item
        ("x:abc", []),               // not a length
        ("abc", []),                 // no colon
        ("3:abcjunk", ["abc"]),      // trailing text that is not an item
    ] as [(String, [String])])
    func malformedTextDecodesItsValidHead(text: String, items: [String]) {
        #expect(JobStore.decodeList(text) == items)
    }
}
