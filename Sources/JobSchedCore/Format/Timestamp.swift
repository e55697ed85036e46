import Glibc

enum Timestamp {
    /// Seconds since the epoch, now.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// ISO-8601 UTC with seconds and `Z`, such as `2026-11-29T05:49:10Z`.
    /// Written digit by digit: it is on every log line and every listed job.
    static func iso8601(_ seconds: Double) -> String {
        String(unsafeUninitializedCapacity: maxISO8601Length) { writeISO8601(seconds, into: $0) }
    }

    /// Room enough for `iso8601` of any time a `time_t` holds.
    static let maxISO8601Length = 32

    /// Writes `iso8601(seconds)` at the start of `out` (at least
    /// `maxISO8601Length` bytes) and returns its length.
    static func writeISO8601(_ seconds: Double, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        var count = 0
        func put(_ value: Int32, width: Int, then separator: UInt8) {
            if value < 0 {
                out[count] = UInt8(ascii: "-")
                count += 1
            }
            var magnitude = Int(value.magnitude)
            var length = 1
            var rest = magnitude / 10
            while rest > 0 {
                length += 1
                rest /= 10
            }
            length = max(length, width)
            for index in stride(from: count + length - 1, through: count, by: -1) {
                out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            count += length
            out[count] = separator
            count += 1
        }
        put(parts.tm_year + 1900, width: 4, then: UInt8(ascii: "-"))
        put(parts.tm_mon + 1, width: 2, then: UInt8(ascii: "-"))
        put(parts.tm_mday, width: 2, then: UInt8(ascii: "T"))
        put(parts.tm_hour, width: 2, then: UInt8(ascii: ":"))
        put(parts.tm_min, width: 2, then: UInt8(ascii: ":"))
        put(parts.tm_sec, width: 2, then: UInt8(ascii: "Z"))
        return count
    }

    /// A duration for people: `12.5` seconds, to the millisecond, no trailing zeros.
    static func seconds(_ value: Double) -> String {
        // Negative after a clock change: show it rather than pretend.
        if value < 0 { return "-" + seconds(-value) }
        let millis = (value * 1000).rounded()
        let whole = Int64(millis / 1000)
        let rest = Int64(millis) - whole * 1000
        guard rest != 0 else { return String(whole) }
        var decimals = String(rest)
        decimals = String(repeating: "0", count: 3 - decimals.count) + decimals
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "\(whole).\(decimals)"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` (a space may replace the
    /// `T`; no zone means UTC) into seconds since the epoch.
    static func parseISO8601(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int32? {
            guard start + count <= chars.count else { return nil }
            var value: Int32 = 0
            for c in chars[start..<start + count] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int32(c - 48)
            }
            return value
        }
        guard chars.count >= 19, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
              chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
              chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            var scale = 0.1
            index += 1
            while index < chars.count, chars[index] >= 48 && chars[index] <= 57 {
                fraction += Double(chars[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if index < chars.count {
            if chars[index] == UInt8(ascii: "Z") && index + 1 == chars.count {
                index += 1
            } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-"), index + 6 == chars.count,
                      chars[index + 3] == UInt8(ascii: ":"), let h = number(index + 1, 2), let m = number(index + 4, 2) {
                offset = (chars[index] == UInt8(ascii: "+") ? 1 : -1) * Int(h * 3600 + m * 60)
            } else {
                return nil
            }
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let time = timegm(&parts)
        // timegm rolls 2026-02-30 over into March: a day the month lacks is an error.
        var check = time
        var back = tm()
        gmtime_r(&check, &back)
        guard back.tm_mday == day, back.tm_mon == month - 1 else { return nil }
        return Double(time - offset) + fraction
    }
}
