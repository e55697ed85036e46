/// The tables that hold every active job (the runner's, the index's, the
/// scheduler's) grow early, each at its own point: Swift rehashes a table all
/// at once when it is full, a million entries take the loop tens of
/// milliseconds, and the six tables, full at the same count, held it 220 ms
/// together. Table `turn` (1 to 8) grows once it is within `turn` 32nds of
/// full, so no two of them grow on the same job.
extension Dictionary {
    package mutating func growEarly(turn: Int) {
        if count + capacity * turn / 32 >= capacity && count >= 1024 { reserveCapacity(count * 2) }
    }
}

extension Set {
    package mutating func growEarly(turn: Int) {
        if count + capacity * turn / 32 >= capacity && count >= 1024 { reserveCapacity(count * 2) }
    }
}
