import Foundation
import Glibc

/// The real `jobsched` binary run as a client (`jobsched add ...`), its
/// output in files of the test's directory, killed if it outlives `timeout`.
final class ClientProcess {
    let process = Process()
    private let stdoutPath: String
    private let stderrPath: String

    /// Starts `jobsched ARGS` in `directory`, with `JOBSCHED_URL` set to the server's.
    /// `launcher` runs it (e.g. `ClientProcess.addressSpace(bytes)`); with
    /// `discardingStdout`, what it prints goes to /dev/null (an endless reply).
    init(_ arguments: [String], server: ServerProcess?, directory: ScratchDirectory, environment: [String: String] = [:],
         launcher: [String] = [], discardingStdout: Bool = false) throws {
        let name = UUID().uuidString.prefix(8)
        stdoutPath = discardingStdout ? "/dev/null" : directory.file("client-\(name).out")
        stderrPath = directory.file("client-\(name).err")
        for path in [stdoutPath, stderrPath] where path != "/dev/null" { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        process.runsJobsched(arguments, launcher: launcher)
        var env = ProcessInfo.processInfo.environment
        env["JOBSCHED_URL"] = server.map { ":\($0.port)" }
        env.removeValue(forKey: "JOBSCHED_TOKEN")
        process.environment = env.merging(environment) { $1 }
        process.currentDirectoryURL = directory.url
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

    /// Runs a client to its end: exit status, stdout, stderr.
    static func run(_ arguments: [String], server: ServerProcess?, directory: ScratchDirectory? = nil,
                    environment: [String: String] = [:], launcher: [String] = [], timeout: Double = 120) throws -> ClientResult {
        let client = try ClientProcess(arguments, server: server, directory: directory ?? server!.directory, environment: environment,
                                       launcher: launcher)
        return client.finish(timeout: timeout)
    }

    /// A launcher that caps the client's address space (RLIMIT_AS): a client
    /// that tries to hold more dies of it rather than taking the machine's memory.
    static func addressSpace(_ bytes: Int) -> [String] { ["/usr/bin/prlimit", "--as=\(bytes)", "--"] }

    var pid: Int32 { process.processIdentifier }

    /// A line of /proc/PID/status or /proc/PID/io, such as `VmHWM` (kB) or `rchar` (bytes); nil once it has exited.
    func procValue(_ file: String, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/\(file)", encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(key + ":") }
        return line.flatMap { Int($0.dropFirst(key.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "") }
    }

    /// Waits for the client to exit (killing it after `timeout`) and reads what it printed.
    func finish(timeout: Double = 120) -> ClientResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let result = ClientResult(status: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus,
                                  stdout: stdoutPath == "/dev/null" ? "" : read(stdoutPath), stderr: read(stderrPath))
        for path in [stdoutPath, stderrPath] where path != "/dev/null" { try? FileManager.default.removeItem(atPath: path) }
        return result
    }

    /// What it has printed so far.
    var stdoutSoFar: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
}

struct ClientResult: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String
    var description: String { "exit \(status), stdout: \(stdout.prefix(400)), stderr: \(stderr.prefix(400))" }
}
