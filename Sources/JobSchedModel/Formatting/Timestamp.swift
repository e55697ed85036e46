package enum Timestamp {
    /// ISO-8601 UTC with seconds and `Z`, such as `2026-11-29T05:49:10Z`.
    /// Written digit by digit: it is on every log line and every listed job.
    package static func iso8601(_ seconds: Double) -> String {
        String(unsafeUninitializedCapacity: maxISO8601Length) { writeISO8601(seconds, into: $0) }
    }

    /// Room enough for `iso8601` of any time a `time_t` holds.
    package static let maxISO8601Length = 32

    /// Writes `iso8601(seconds)` at the start of `out` (at least
    /// `maxISO8601Length` bytes) and returns its length.
    package static func writeISO8601(_ seconds: Double, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let parts = CivilTime(secondsSinceEpoch: Int64(seconds.rounded(.down)))
        var count = 0
        func put(_ value: Int64, width: Int, then separator: UInt8) {
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
        put(parts.year, width: 4, then: UInt8(ascii: "-"))
        put(parts.month, width: 2, then: UInt8(ascii: "-"))
        put(parts.day, width: 2, then: UInt8(ascii: "T"))
        put(parts.hour, width: 2, then: UInt8(ascii: ":"))
        put(parts.minute, width: 2, then: UInt8(ascii: ":"))
        put(parts.second, width: 2, then: UInt8(ascii: "Z"))
        return count
    }

    /// A duration for people: `12.5` seconds, to the millisecond, no trailing zeros.
    package static func seconds(_ value: Double) -> String {
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
    package static func parseISO8601(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int64? {
            guard start + count <= chars.count else { return nil }
            var value: Int64 = 0
            for c in chars[start..<start + count] {
                guard c >= 48 && c <= 57 else { return nil }
                value = value * 10 + Int64(c - 48)
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
        // A day the month lacks (2026-02-30) is an error, not a day of the next month.
        guard day <= CivilTime.daysIn(month: month, year: year) else { return nil }
        let time = CivilTime.daysSinceEpoch(year: year, month: month, day: day) * 86_400
            + hour * 3600 + minute * 60 + second
        return Double(time - Int64(offset)) + fraction
    }
}

/// A UTC calendar date and time, from seconds since the epoch and back, by
/// the proleptic Gregorian calendar (Howard Hinnant's days-from-civil
/// algorithms): pure arithmetic, so formatting needs no C library and no time zone.
package struct CivilTime: Equatable {
    package var year: Int64, month: Int64, day: Int64
    package var hour: Int64, minute: Int64, second: Int64

    package init(year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    package init(secondsSinceEpoch seconds: Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
        // Days from 0000-03-01, in 400-year eras of 146,097 days each.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // March is 0
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days from 1970-01-01 to the date (negative before it).
    package static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    package static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
