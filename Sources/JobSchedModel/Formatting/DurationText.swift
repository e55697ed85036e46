/// Durations as people write them: `90` (seconds), `90s`, `10m`, `1h30m`,
/// `2d`, `1.5h`. Units go from days down to seconds, each at most once.
package enum DurationText {
    /// What an error message shows.
    package static let examples = "90, 90s, 10m, 1h30m or 2d"
    /// Longer than any sensible wait (about 31 years), so that a typo is refused.
    package static let maxSeconds = 1e9

    private static let units: [(letter: UInt8, seconds: Double)] = [
        (UInt8(ascii: "d"), 86_400), (UInt8(ascii: "h"), 3_600), (UInt8(ascii: "m"), 60), (UInt8(ascii: "s"), 1),
    ]

    /// The seconds `text` stands for, or nil when it is not a duration.
    package static func seconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.allSatisfy(isNumberByte) { return number(bytes[...]).flatMap(bounded) }
        var total = 0.0
        var start = 0
        var nextUnit = 0  // units must come in order: d, h, m, s
        while start < bytes.count {
            var end = start
            while end < bytes.count && isNumberByte(bytes[end]) { end += 1 }
            guard end < bytes.count, let value = number(bytes[start..<end]),
                  let unit = units[nextUnit...].firstIndex(where: { $0.letter == bytes[end] }) else { return nil }
            total += value * units[unit].seconds
            nextUnit = unit + 1
            start = end + 1
        }
        return bounded(total)
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool { isASCIIDigit(byte) || byte == UInt8(ascii: ".") }

    /// Plain decimals only: Double() would also take hex, "inf" and exponents.
    private static func number(_ bytes: ArraySlice<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.allSatisfy(isNumberByte) else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    private static func bounded(_ seconds: Double) -> Double? { seconds <= maxSeconds ? seconds : nil }
}
