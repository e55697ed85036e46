import JobSchedModel
import Testing

@Suite("Unit: id ranges (what a removal announces)")
struct IDRangesUnitTests {
    @Test func idsInAnyOrderBecomeSortedDisjointRanges() {
        let ids = IDRanges([9, 3, 1, 2, 3, 5, 10, 11])
        #expect(ids.ranges == [1...3, 5...5, 9...11] && ids.count == 7)
        #expect([1, 2, 3, 5, 9, 10, 11].allSatisfy(ids.contains))
        #expect(![0, 4, 6, 8, 12].contains(where: ids.contains))
        #expect(IDRanges().isEmpty && !IDRanges().contains(1) && IDRanges().count == 0)
    }

    @Test func aMillionContiguousIDsAreOneRange() {
        let ids = IDRanges(1...1_000_000)
        #expect(ids.ranges == [1...1_000_000] && ids.count == 1_000_000)
        #expect(ids.json.serialized() == "[[1, 1000000]]")
    }

    @Test func unionsMergeInOrderAndOutOfOrder() {
        var ids = IDRanges([1, 2, 3])
        ids.formUnion(IDRanges([4, 5, 8]))  // in order: joins the last range
        #expect(ids.ranges == [1...5, 8...8] && ids.count == 6)
        ids.formUnion(IDRanges([0, 6, 7, 20]))  // out of order: fills the gaps
        #expect(ids.ranges == [0...8, 20...20] && ids.count == 10)
        ids.formUnion(IDRanges([2, 3, 20]))  // already held
        #expect(ids.ranges == [0...8, 20...20] && ids.count == 10)
    }

    @Test func piecesKeepEveryRangeInOrder() {
        let ids = IDRanges(stride(from: 1, through: 19, by: 2))  // ten ranges of one
        let pieces = ids.pieces(ofAtMost: 4)
        #expect(pieces.map(\.ranges.count) == [4, 4, 2])
        #expect(pieces.flatMap(\.ranges) == ids.ranges && pieces.map(\.count).reduce(0, +) == 10)
        #expect(IDRanges().pieces(ofAtMost: 4).isEmpty)
    }
}
