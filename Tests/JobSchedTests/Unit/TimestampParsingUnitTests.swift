import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: Timestamp parsing and durations")
struct TimestampParsingUnitTests {
    @Test(arguments: [
        ("2026-11-29T05:49:10Z", 1_795_931_350),
        ("2026-11-29T05:49:10", 1_795_931_350),          // no zone is UTC
        ("2026-11-29 05:49:10Z", 1_795_931_350),         // a space may replace the T
        ("2026-11-29 05:49:10", 1_795_931_350),
        ("2026-11-29T07:49:10+02:00", 1_795_931_350),
        ("2026-11-29T00:19:10-05:30", 1_795_931_350),
        ("2026-11-29T05:49:10+00:00", 1_795_931_350),
        ("2026-11-29T05:49:10-00:00", 1_795_931_350),
        ("2026-11-30T01:49:10+20:00", 1_795_931_350),     // an offset may cross midnight
        ("2026-11-29T05:49:10.5Z", 1_795_931_350.5),
        ("2026-11-29T05:49:10.25", 1_795_931_350.25),
        ("2026-11-29T07:49:10.125+02:00", 1_795_931_350.125),
        ("2026-11-29T05:49:10.000Z", 1_795_931_350),
        ("1970-01-01T00:00:00Z", 0),
        ("1969-12-31T23:59:59Z", -1),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("2026-11-29T18:00:00Z", 1_795_975_200),
        ("9999-12-31T23:59:59Z", 253_402_300_799),
    ] as [(String, Double)])
    func parses(text: String, seconds: Double) {
        let parsed = Timestamp.parseISO8601(text)
        #expect(parsed.map { abs($0 - seconds) < 1e-6 } == true, "\(text) → \(String(describing: parsed))")
    }

    @Test(arguments: [
        "", "tomorrow", "now", "2026-11-29", "2026-11-29T05:49", "1795931350",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-32T00:00:00Z",
        "2026-11-29T24:00:00Z", "2026-11-29T05:60:00Z", "2026-11-29T05:49:61Z",
        "2026-11-29T05:49:10Zjunk", "2026-11-29T05:49:10ZZ", "2026-11-29T05:49:10 ", "2026-11-29T05:49:10x",
        "2026-11-29T05:49:10+02", "2026-11-29T05:49:10+0200", "2026-11-29T05:49:10+02:00:00", "2026-11-29T05:49:10+ab:00",
        "2026-11-29T05:49:10+02:00Z", "2026-11-29T05:49:10.5 Z", "2026-11-29t05:49:10Z", "2026-11-29_05:49:10Z",
        "2026/11/29T05:49:10Z", "26-11-29T05:49:10Z", "2026-1-29T05:49:10Z", "2026-11-29T5:49:10Z",
        " 2026-11-29T05:49:10Z", "２０２６-11-29T05:49:10Z", "2026-11-29T05:49:1OZ",
    ])
    func rejects(text: String) {
        #expect(Timestamp.parseISO8601(text) == nil)
    }

    @Test(arguments: ["2026-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T12:00:00Z"])
    func rejectsDaysTheMonthDoesNotHave(text: String) {
        #expect(Timestamp.parseISO8601(text) == nil)
    }

    @Test(arguments: [0, 1, 1_000_000_000, 1_795_931_350, 951_782_400, -1, 253_402_300_799] as [Double])
    func roundTripsWithIso8601(seconds: Double) {
        let text = Timestamp.iso8601(seconds)
        #expect(Timestamp.parseISO8601(text) == seconds)
        #expect(Timestamp.parseISO8601(text).map(Timestamp.iso8601) == text)
    }

    @Test func fractionsAreDroppedByIso8601ButKeptByTheParser() {
        let parsed = Timestamp.parseISO8601("2026-11-29T05:49:10.75Z")
        #expect(parsed == 1_795_931_350.75)
        #expect(parsed.map(Timestamp.iso8601) == "2026-11-29T05:49:10Z")
    }

    @Test(arguments: [
        (0, "0"), (1, "1"), (1.5, "1.5"), (0.25, "0.25"), (12.3456, "12.346"), (600, "600"),
        (0.001, "0.001"), (0.0004, "0"), (0.0005, "0.001"), (2.05, "2.05"), (59.9999, "60"),
        (3600.1, "3600.1"), (1e9, "1000000000"), (0.999, "0.999"), (10.010, "10.01"),
    ] as [(Double, String)])
    func seconds(value: Double, text: String) {
        #expect(Timestamp.seconds(value) == text)
    }

    /// A `runtime` of a job whose clock went back (the wall clock is stepped) is negative.
    @Test func negativeDurationsDoNotCrash() {
        #expect(Timestamp.seconds(-1.5) == "-1.5")
        #expect(Timestamp.seconds(-2) == "-2")
    }
}
