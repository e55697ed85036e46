import Glibc
import Testing
@testable import JobSchedModel

/// The pure calendar arithmetic agrees with the C library's `gmtime_r` and `timegm`.
@Suite("Unit: calendar arithmetic")
struct CivilTimeUnitTests {
    @Test func agreesWithGmtimeOverFourCenturiesAndBeforeTheEpoch() {
        var generator = SystemRandomNumberGenerator()
        // Edges of leap rules (1900, 2000, 2100), the epoch, and random times from 1600 to 2400.
        let edges: [Int64] = [0, -1, 86_399, 86_400, -86_400, 951_782_400, 951_868_800, -2_203_891_200, 4_107_542_400, 4_107_456_000]
        let samples = edges + (0..<20_000).map { _ in Int64.random(in: -11_676_096_000...13_569_465_600, using: &generator) }
        for seconds in samples {
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            let civil = CivilTime(secondsSinceEpoch: seconds)
            let expected = CivilTime(year: Int64(parts.tm_year) + 1900, month: Int64(parts.tm_mon) + 1, day: Int64(parts.tm_mday),
                                     hour: Int64(parts.tm_hour), minute: Int64(parts.tm_min), second: Int64(parts.tm_sec))
            #expect(civil == expected, "at \(seconds)")
            let days = CivilTime.daysSinceEpoch(year: civil.year, month: civil.month, day: civil.day)
            #expect(days * 86_400 + civil.hour * 3600 + civil.minute * 60 + civil.second == Int64(timegm(&parts)), "at \(seconds)")
            #expect(civil.day <= CivilTime.daysIn(month: civil.month, year: civil.year))
        }
    }
}
