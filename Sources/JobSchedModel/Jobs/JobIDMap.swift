/// A table keyed by job id, for the tables that hold every active job (a
/// million on a busy day). Job ids come in order and close together, so they
/// are kept in pages of 1,024 consecutive ids, each an array: the table grows
/// a page at a time, never rehashing what it holds. A Swift dictionary of a
/// million entries rehashed them all at once when it grew: 60 to 90 ms during
/// which no client was served. A page is dropped once its last id goes.
package struct JobIDMap<Value> {
    private struct Page {
        var slots: [Value?]
        var count = 0
    }

    private var pages: [Int64: Page] = [:]
    package private(set) var count = 0

    package init() {}

    package var isEmpty: Bool { count == 0 }

    private static func place(_ id: JobID) -> (page: Int64, slot: Int) {
        (id >> JobIDPages.bits, Int(id & Int64(JobIDPages.size - 1)))
    }

    package subscript(id: JobID) -> Value? {
        get {
            let (page, slot) = JobIDMap.place(id)
            return pages[page]?.slots[slot]
        }
        set {
            let (page, slot) = JobIDMap.place(id)
            guard let newValue else {
                guard pages[page]?.slots[slot] != nil else { return }
                pages[page]!.slots[slot] = nil
                pages[page]!.count -= 1
                count -= 1
                if pages[page]!.count == 0 { pages[page] = nil }
                return
            }
            if pages[page] == nil { pages[page] = Page(slots: Array(repeating: nil, count: JobIDPages.size)) }
            if pages[page]!.slots[slot] == nil {
                pages[page]!.count += 1
                count += 1
            }
            pages[page]!.slots[slot] = newValue
        }
    }

    @discardableResult
    package mutating func removeValue(forKey id: JobID) -> Value? {
        let old = self[id]
        self[id] = nil
        return old
    }

    /// Calls `body` with every id and its value, in id order.
    package func forEach(_ body: (JobID, Value) -> Void) {
        for page in pages.keys.sorted() {
            for (slot, value) in pages[page]!.slots.enumerated() {
                if let value { body(page << JobIDPages.bits + Int64(slot), value) }
            }
        }
    }

    /// Every id and its value, in id order.
    package var entries: [(key: JobID, value: Value)] {
        var all: [(key: JobID, value: Value)] = []
        all.reserveCapacity(count)
        forEach { all.append(($0, $1)) }
        return all
    }

    /// The ids, in order.
    package var keys: [JobID] { entries.map(\.key) }
    /// The values, in id order.
    package var values: [Value] { entries.map(\.value) }
}

/// Job ids in pages of 1,024 consecutive ids.
enum JobIDPages {
    static let bits: Int64 = 10
    static let size = 1 << bits
}

/// A set of job ids kept as pages of 1,024 bits (see `JobIDMap`): a million
/// ids in 128 KB, growing a page at a time.
package struct JobIDSet {
    private static var wordsPerPage: Int { JobIDPages.size / 64 }

    private struct Page {
        var words: [UInt64] = Array(repeating: 0, count: JobIDSet.wordsPerPage)
        var count = 0
    }

    private var pages: [Int64: Page] = [:]
    package private(set) var count = 0

    package init() {}

    package var isEmpty: Bool { count == 0 }

    private static func place(_ id: JobID) -> (page: Int64, word: Int, bit: UInt64) {
        let offset = Int(id & Int64(JobIDPages.size - 1))
        return (id >> JobIDPages.bits, offset / 64, 1 << UInt64(offset % 64))
    }

    package func contains(_ id: JobID) -> Bool {
        let (page, word, bit) = JobIDSet.place(id)
        return (pages[page]?.words[word] ?? 0) & bit != 0
    }

    package mutating func insert(_ id: JobID) {
        let (page, word, bit) = JobIDSet.place(id)
        guard (pages[page]?.words[word] ?? 0) & bit == 0 else { return }
        pages[page, default: Page()].words[word] |= bit
        pages[page]!.count += 1
        count += 1
    }

    package mutating func remove(_ id: JobID) {
        let (page, word, bit) = JobIDSet.place(id)
        guard (pages[page]?.words[word] ?? 0) & bit != 0 else { return }
        pages[page]!.words[word] &= ~bit
        pages[page]!.count -= 1
        count -= 1
        if pages[page]!.count == 0 { pages[page] = nil }
    }

    /// The smallest id held.
    package func min() -> JobID? {
        guard let first = pages.keys.min(), let page = pages[first],
              let word = page.words.firstIndex(where: { $0 != 0 }) else { return nil }
        return first << JobIDPages.bits + Int64(word * 64 + page.words[word].trailingZeroBitCount)
    }

    /// The ids, in order.
    package func sorted() -> [JobID] {
        var ids: [JobID] = []
        ids.reserveCapacity(count)
        for first in pages.keys.sorted() {
            for (index, word) in pages[first]!.words.enumerated() where word != 0 {
                var bits = word
                while bits != 0 {
                    ids.append(first << JobIDPages.bits + Int64(index * 64 + bits.trailingZeroBitCount))
                    bits &= bits - 1
                }
            }
        }
        return ids
    }
}
