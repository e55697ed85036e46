import Foundation
import Glibc

struct CurlResult: CustomStringConvertible {
    let status: Int
    let body: String
    let exitCode: Int32
    var lines: [String] { body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastIfEmpty() }
    var description: String { "HTTP \(status), curl exit \(exitCode), body: \(body)" }
}

extension Array where Element == String {
    func dropLastIfEmpty() -> [String] { last == "" ? Array(dropLast()) : self }
}

/// Runs the real curl client.
enum Curl {
    static let marker = "\n--curl-status:"

    static func run(_ arguments: [String], timeout: Double = 120) -> CurlResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "-m", String(Int(timeout)), "-w", marker + "%{http_code}"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return CurlResult(status: 0, body: "\(error)", exitCode: -1) }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: marker, options: .backwards) else {
            return CurlResult(status: 0, body: text, exitCode: process.terminationStatus)
        }
        return CurlResult(status: Int(text[range.upperBound...]) ?? 0, body: String(text[..<range.lowerBound]),
                          exitCode: process.terminationStatus)
    }
}

/// A curl left running (a sync submit, a held wait), read line by line as the server sends;
/// or another client program, read the same way.
final class StreamingCurl {
    private let process = Process()
    private let output = Pipe()

    convenience init(_ arguments: [String]) throws {
        try self.init(program: ["/usr/bin/curl", "-sS", "-N", "-m", "300"] + arguments)
    }

    init(program: [String]) throws {
        process.executableURL = URL(fileURLWithPath: program[0])
        process.arguments = Array(program.dropFirst())
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    func nextLine(timeout: Double = 60) -> String? {
        readLine(from: output.fileHandleForReading.fileDescriptor, timeout: timeout)
    }

    /// Every line until curl exits.
    func remainingLines(timeout: Double = 60) -> [String] {
        var lines: [String] = []
        while let line = nextLine(timeout: timeout) { lines.append(line) }
        return lines
    }

    /// The client disappears, as with Ctrl-C.
    func killClient() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }
}
