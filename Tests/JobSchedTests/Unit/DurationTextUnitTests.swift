import Testing
@testable import JobSchedModel

@Suite("Unit: durations with units")
struct DurationTextUnitTests {
    @Test(arguments: [
        ("90", 90.0), ("0", 0), ("1.5", 1.5), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("2d", 172_800),
        ("1d2h3m4s", 93_784), ("1.5h", 5400), ("0.5s", 0.5), ("2h5s", 7205),
    ])
    func readsWhatPeopleWrite(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "m", "10x", "-5", "5m10h", "1h1h", "1e3", "0x10", "inf", "10 m", "1.2.3", "10ms", "h10",
                      "99999999999", "40000d"])
    func refusesNonsense(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }
}
