/// A table keyed by job id, for the tables that hold every active job (a
/// million on a busy day). Job ids come in order and close together, so they
/// are kept in pages of 1,024 consecutive ids, each an array: the table grows
/// a page at a time, never rehashing what it holds. A Swift dictionary of a
/// million entries rehashed them all at once when it grew: 60 to 90 ms during
/// which no client was served. A page is dropped once its last id goes.
///
/// Up to `JobIDPages.smallCount` entries it is a plain array instead: most of
/// the time few jobs are active, and making (and zeroing) a page for each job
/// that comes and goes cost more than the rest of its start.
package struct JobIDMap<Value> {
    private struct Page {
        var slots: [Value?] = Array(repeating: nil, count: JobIDPages.size)
        var count = 0
    }

    private var small: [(id: JobID, value: Value)] = []
    /// Once more than `smallCount` entries are held, until none is.
    private var pages: [Int64: Page]?
    package private(set) var count = 0

    package init() {}

    package var isEmpty: Bool { count == 0 }

    package subscript(id: JobID) -> Value? {
        get {
            guard let pages else { return small.first { $0.id == id }?.value }
            let (page, slot) = JobIDPages.place(id)
            return pages[page]?.slots[slot]
        }
        set {
            if pages == nil {
                setSmall(id, newValue)
            } else {
                setInPages(id, newValue)
            }
        }
    }

    private mutating func setSmall(_ id: JobID, _ value: Value?) {
        if let index = small.firstIndex(where: { $0.id == id }) {
            if let value {
                small[index].value = value
            } else {
                small.swapAt(index, small.count - 1)
                small.removeLast()
                count -= 1
            }
            return
        }
        guard let value else { return }
        guard small.count < JobIDPages.smallCount else {
            pages = [:]
            count = 0
            for entry in small { setInPages(entry.id, entry.value) }
            small = []
            return setInPages(id, value)
        }
        small.append((id, value))
        count += 1
    }

    private mutating func setInPages(_ id: JobID, _ value: Value?) {
        let (page, slot) = JobIDPages.place(id)
        guard let value else {
            guard pages![page]?.slots[slot] != nil else { return }
            pages![page]!.slots[slot] = nil
            pages![page]!.count -= 1
            count -= 1
            if pages![page]!.count == 0 { pages![page] = nil }
            if count == 0 { pages = nil }
            return
        }
        if pages![page] == nil { pages![page] = Page() }
        if pages![page]!.slots[slot] == nil {
            pages![page]!.count += 1
            count += 1
        }
        pages![page]!.slots[slot] = value
    }

    @discardableResult
    package mutating func removeValue(forKey id: JobID) -> Value? {
        let old = self[id]
        self[id] = nil
        return old
    }

    /// Calls `body` with every id and its value, in id order.
    package func forEach(_ body: (JobID, Value) -> Void) {
        guard let pages else { return small.sorted { $0.id < $1.id }.forEach { body($0.id, $0.value) } }
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

/// Job ids in pages of 1,024 consecutive ids, below a few held in an array.
enum JobIDPages {
    static let bits: Int64 = 10
    static let size = 1 << bits
    static let smallCount = 16

    static func place(_ id: JobID) -> (page: Int64, slot: Int) {
        (id >> bits, Int(id & Int64(size - 1)))
    }
}

/// A set of job ids kept as pages of 1,024 bits (see `JobIDMap`): a million
/// ids in 128 KB, growing a page at a time; a few in an array.
package struct JobIDSet {
    private static var wordsPerPage: Int { JobIDPages.size / 64 }

    private struct Page {
        var words: [UInt64] = Array(repeating: 0, count: JobIDSet.wordsPerPage)
        var count = 0
    }

    private var small: [JobID] = []
    /// Once more than `smallCount` ids are held, until none is.
    private var pages: [Int64: Page]?
    package private(set) var count = 0

    package init() {}

    package var isEmpty: Bool { count == 0 }

    private static func place(_ id: JobID) -> (page: Int64, word: Int, bit: UInt64) {
        let (page, slot) = JobIDPages.place(id)
        return (page, slot / 64, 1 << UInt64(slot % 64))
    }

    package func contains(_ id: JobID) -> Bool {
        guard let pages else { return small.contains(id) }
        let (page, word, bit) = JobIDSet.place(id)
        return (pages[page]?.words[word] ?? 0) & bit != 0
    }

    package mutating func insert(_ id: JobID) {
        guard pages != nil else {
            guard !small.contains(id) else { return }
            guard small.count < JobIDPages.smallCount else {
                pages = [:]
                count = 0
                small.forEach { insertInPages($0) }
                small = []
                return insertInPages(id)
            }
            small.append(id)
            count += 1
            return
        }
        insertInPages(id)
    }

    private mutating func insertInPages(_ id: JobID) {
        let (page, word, bit) = JobIDSet.place(id)
        guard (pages![page]?.words[word] ?? 0) & bit == 0 else { return }
        pages![page, default: Page()].words[word] |= bit
        pages![page]!.count += 1
        count += 1
    }

    package mutating func remove(_ id: JobID) {
        guard pages != nil else {
            guard let index = small.firstIndex(of: id) else { return }
            small.swapAt(index, small.count - 1)
            small.removeLast()
            count -= 1
            return
        }
        let (page, word, bit) = JobIDSet.place(id)
        guard (pages![page]?.words[word] ?? 0) & bit != 0 else { return }
        pages![page]!.words[word] &= ~bit
        pages![page]!.count -= 1
        count -= 1
        if pages![page]!.count == 0 { pages![page] = nil }
        if count == 0 { pages = nil }
    }

    /// The smallest id held.
    package func min() -> JobID? {
        guard let pages else { return small.min() }
        guard let first = pages.keys.min(), let page = pages[first],
              let word = page.words.firstIndex(where: { $0 != 0 }) else { return nil }
        return first << JobIDPages.bits + Int64(word * 64 + page.words[word].trailingZeroBitCount)
    }

    /// The ids, in order.
    package func sorted() -> [JobID] {
        guard let pages else { return small.sorted() }
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
