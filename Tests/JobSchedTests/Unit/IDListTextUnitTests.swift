import JobSchedModel
import Testing

@Suite("Unit: id lists as reply lines")
struct IDListTextUnitTests {
    @Test func oneIDPerLineAsStringWouldWriteIt() {
        let ids: [JobID] = [0, 1, 9, 10, 99, 100, 123_456_789, Int64.max, -5]
        #expect(IDListText.lines(ids) == ids.map { "\($0)\n" }.joined())
        #expect(IDListText.lines([]) == "")
    }
}
