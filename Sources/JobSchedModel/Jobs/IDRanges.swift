/// A set of job ids as sorted, disjoint, non-adjacent ranges: what a removal
/// of many jobs announces. Jobs are numbered in order, so the ids one request
/// removes mostly lie together: a million of them are often one range.
package struct IDRanges: Equatable {
    package private(set) var ranges: [ClosedRange<JobID>] = []
    /// How many ids in all.
    package private(set) var count = 0

    package init() {}

    /// The ids, in any order, with repeats.
    package init<S: Sequence>(_ ids: S) where S.Element == JobID {
        ids.sorted().forEach { append($0) }
    }

    package var isEmpty: Bool { ranges.isEmpty }

    /// Adds an id above every one already held (ids below it, or held already, are ignored).
    package mutating func append(_ id: JobID) {
        guard let last = ranges.last else {
            ranges = [id...id]
            count = 1
            return
        }
        guard id > last.upperBound else { return }
        count += 1
        if id == last.upperBound + 1 {
            ranges[ranges.count - 1] = last.lowerBound...id
        } else {
            ranges.append(id...id)
        }
    }

    /// Adds every id of `other`, in any order with respect to those held.
    package mutating func formUnion(_ other: IDRanges) {
        guard let first = other.ranges.first else { return }
        if let last = ranges.last, first.lowerBound > last.upperBound {
            // Most unions come in order: appended without sorting.
            other.ranges.forEach { append($0) }
            return
        }
        let all = (ranges + other.ranges).sorted { $0.lowerBound < $1.lowerBound }
        self = IDRanges()
        all.forEach { append($0) }
    }

    /// Adds a range that starts above every id held but may overlap the last range.
    private mutating func append(_ range: ClosedRange<JobID>) {
        guard let last = ranges.last, range.lowerBound <= last.upperBound + 1 else {
            ranges.append(range)
            count += range.count
            return
        }
        guard range.upperBound > last.upperBound else { return }
        count += Int(range.upperBound - last.upperBound)
        ranges[ranges.count - 1] = last.lowerBound...range.upperBound
    }

    package func contains(_ id: JobID) -> Bool {
        // The last range that starts at or below `id` is the only one that can hold it.
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].lowerBound <= id { low = middle + 1 } else { high = middle }
        }
        return low > 0 && ranges[low - 1].contains(id)
    }

    /// The same ids cut into pieces of at most `maxRanges` ranges each, in order.
    package func pieces(ofAtMost maxRanges: Int) -> [IDRanges] {
        stride(from: 0, to: ranges.count, by: maxRanges).map { start in
            var piece = IDRanges()
            ranges[start..<min(start + maxRanges, ranges.count)].forEach { piece.append($0) }
            return piece
        }
    }

    /// `[[first, last], …]`: a single id is a range of one.
    package var json: JSON {
        .array(ranges.map { .array([.int($0.lowerBound), .int($0.upperBound)]) })
    }
}
