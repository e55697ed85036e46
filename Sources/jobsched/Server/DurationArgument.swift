import ArgumentParser
import JobSchedModel

/// A flag's duration: `3`, `3s`, `1m30s`, `2h` (as `DurationText` reads them).
struct DurationArgument: ExpressibleByArgument {
    let seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        guard let seconds = DurationText.seconds(argument) else { return nil }
        self.seconds = seconds
    }

    var defaultValueDescription: String { Timestamp.seconds(seconds) }
}
