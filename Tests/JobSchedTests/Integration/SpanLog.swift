import Foundation

/// Jobs that log when they start and end, to measure how many ran at once.
struct SpanLog {
    let path: String

    init(directory: ScratchDirectory, name: String = "spans") {
        path = directory.file(name)
    }

    /// A job command that appends "+" at its start and "-" at its end, with nanosecond times.
    func command(seconds: Double = 0.3) -> String {
        "echo \"$(date +%s%N) +\" >> \(path); sleep \(seconds); echo \"$(date +%s%N) -\" >> \(path)"
    }

    private func events() throws -> [(time: Int, delta: Int)] {
        var events: [(time: Int, delta: Int)] = []
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: " ")
            let delta = parts[1] == "+" ? 1 : -1
            events.append((Int(parts[0]) ?? 0, delta))
        }
        // At equal times, count ends before starts.
        return events.sorted { ($0.time, $0.delta) < ($1.time, $1.delta) }
    }

    /// How many spans started.
    func count() throws -> Int { try events().filter { $0.delta == 1 }.count }

    /// The largest number of spans open at the same time.
    func mostAtOnce() throws -> Int {
        var open = 0, most = 0
        for event in try events() {
            open += event.delta
            most = max(most, open)
        }
        return most
    }
}
