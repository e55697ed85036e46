import JobSchedModel
import Testing

/// The tables of the active jobs, in pages of consecutive ids.
@Suite("Unit: job id maps and sets")
struct JobIDMapUnitTests {
    @Test func aMapHoldsWhatADictionaryWould() {
        var map = JobIDMap<String>()
        var dictionary: [JobID: String] = [:]
        // Ids across several pages, with gaps, set, replaced and removed.
        for id in stride(from: JobID(1), through: 5000, by: 3) {
            map[id] = "v\(id)"
            dictionary[id] = "v\(id)"
        }
        for id in stride(from: JobID(1), through: 5000, by: 7) {
            #expect(map.removeValue(forKey: id) == dictionary.removeValue(forKey: id))
        }
        map[4999] = "last"
        dictionary[4999] = "last"
        map[1_000_000_000] = "far"
        dictionary[1_000_000_000] = "far"
        #expect(map.count == dictionary.count && !map.isEmpty)
        #expect(map.keys == dictionary.keys.sorted())
        #expect(map.values == dictionary.keys.sorted().map { dictionary[$0]! })
        #expect((0...5001).allSatisfy { map[JobID($0)] == dictionary[JobID($0)] })
        for id in map.keys { map[id] = nil }
        #expect(map.isEmpty && map.count == 0 && map.entries.isEmpty && map[4] == nil)
        // A few again: an array, then pages from the 17th on.
        for id in [JobID(9), 3, 2_000_000] { map[id] = "few \(id)" }
        map[3] = "three"
        #expect(map.keys == [3, 9, 2_000_000] && map[3] == "three" && map[4] == nil)
        for id in JobID(100)..<JobID(120) { map[id] = "\(id)" }
        map[9] = nil
        #expect(map.count == 22 && map.keys == [3] + Array(100..<120) + [2_000_000] && map[119] == "119")
    }

    @Test func aSetHoldsWhatASetWould() {
        var set = JobIDSet()
        var reference = Set<JobID>()
        for id in stride(from: JobID(5), through: 9000, by: 11) {
            set.insert(id)
            reference.insert(id)
        }
        set.insert(5)
        for id in stride(from: JobID(5), through: 9000, by: 33) {
            set.remove(id)
            reference.remove(id)
        }
        set.remove(3)
        #expect(set.count == reference.count && set.sorted() == reference.sorted())
        #expect(set.min() == reference.min())
        #expect((0...9001).allSatisfy { set.contains(JobID($0)) == reference.contains(JobID($0)) })
        for id in reference { set.remove(id) }
        #expect(set.isEmpty && set.min() == nil && set.sorted().isEmpty)
        // A few again: an array, then pages from the 17th on.
        for id in [JobID(9), 3, 9, 2_000_000] { set.insert(id) }
        #expect(set.sorted() == [3, 9, 2_000_000] && set.min() == 3 && set.count == 3 && set.contains(9))
        for id in JobID(100)..<JobID(120) { set.insert(id) }
        set.remove(3)
        #expect(set.count == 22 && set.min() == 9 && set.sorted() == [9] + Array(100..<120) + [2_000_000])
    }
}
