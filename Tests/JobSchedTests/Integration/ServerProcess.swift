import Foundation
import Glibc
import Testing

/// A real `jobsched` process on a free loopback port, with its own database in
/// its own temporary directory, driven with real curl.
final class ServerProcess {
    let directory: ScratchDirectory
    let databasePath: String
    let logPath: String
    private let process: Process
    private(set) var port = 0
    /// Whether its TCP port speaks TLS (`listening on https://`).
    private(set) var isTLS = false
    /// What curl trusts for it over TLS: by default the certificate --tls-self-signed makes.
    var cacert: String

    /// Starts `jobsched -p 0 --dbfile DIR/jobs.sqlite ARGS` and waits for its `listening on` line.
    init(_ arguments: [String] = [], directory: ScratchDirectory? = nil, environment: [String: String] = [:],
         launcher: [String] = []) throws {
        self.directory = try directory ?? ScratchDirectory()
        databasePath = self.directory.file("jobs.sqlite")
        logPath = self.directory.file("server-\(UUID().uuidString.prefix(8)).log")
        cacert = databasePath + ".tls/cert.pem"
        process = Process()
        process.runsJobsched(["-p", "0", "--dbfile", databasePath] + arguments, launcher: launcher)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = self.directory.url
        let stdout = Pipe()
        process.standardOutput = stdout
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        let line = readLine(from: stdout.fileHandleForReading.fileDescriptor, timeout: 30)
        // `listening on http://ADDR:PORT`, or `listening on unix:PATH` with --no-tcp (port 0).
        let isUnixOnly = line?.hasPrefix("listening on unix:") ?? false
        guard let line, let portText = line.split(separator: ":").last,
              let port = isUnixOnly ? 0 : Int(portText) else {
            stop(signal: SIGKILL)
            throw HarnessError("server did not start: stdout \(line ?? "<nothing>"), log: \(log)")
        }
        self.port = port
        isTLS = line.hasPrefix("listening on https://")
    }

    /// A graceful stop, so that no job of a finished test outlives it (then
    /// the directory goes, unless another server of the test still uses it).
    deinit {
        if process.isRunning { stop(signal: SIGTERM) }
    }

    var pid: pid_t { process.processIdentifier }
    var base: String { "\(isTLS ? "https" : "http")://127.0.0.1:\(port)" }
    /// curl's arguments to trust the server's certificate, over TLS.
    var trust: [String] { isTLS ? ["--cacert", cacert] : [] }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A client that sends `head` (a request's head) and then reads nothing:
    /// how much the server's memory grew (KiB) while it holds the reply, once
    /// other clients have been served meanwhile; and the client, to keep open.
    func memoryHeld(byUnreadReplyTo head: String, body: String = "") throws -> (kib: Int, client: RawConnection) {
        let before = try HTTPProtocolIntegrationTests.residentKiB(pid)
        let client = try RawConnection(port: port, receiveBuffer: 4096)
        #expect(client.send(head + "Host: 127.0.0.1\r\n\r\n" + body))
        // Served while the reply waits for its reader, and the loop has turned past the reader's request.
        for _ in 0..<20 { #expect(curl("/health").body == "ok\n") }
        return (try HTTPProtocolIntegrationTests.residentKiB(pid) - before, client)
    }

    /// How many sockets the server holds open: its listener, its connections, the spawner's.
    var socketCount: Int {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.filter { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)"))?.hasPrefix("socket:") ?? false }.count
    }
    var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits for the server to exit; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 60) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        return waitForExit(timeout: timeout)
    }

    @discardableResult
    func waitForExit(timeout: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    // MARK: Talking to it with curl

    /// `curl --data DATA base/PATH` (a POST form), or a GET when `data` is nil.
    @discardableResult
    func curl(_ path: String, data: String? = nil, extra: [String] = [], timeout: Double = 120) -> CurlResult {
        var arguments = trust + extra
        if let data { arguments += ["--data", data] }
        return Curl.run(arguments + ["\(base)\(path)"], timeout: timeout)
    }

    /// Submits an async job and returns its id.
    func submitAsync(_ command: String, extra: String = "") throws -> Int64 {
        let result = Curl.run(trust + ["--data-urlencode", "command=\(command)", "--data", "sync=0" + extra, "\(base)/submit"])
        guard result.status == 200, let id = Int64(result.body.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw HarnessError("submit failed: \(result)")
        }
        return id
    }

    /// Blocks on the server's `/wait` until the jobs finish; returns the reply body.
    @discardableResult
    func waitFor(_ ids: Int64...) -> String {
        curl("/wait", data: "jobid=" + ids.map(String.init).joined(separator: ",")).body
    }

    /// One job's record, through `/jobinfo?format=json`.
    func job(_ id: Int64) throws -> [String: Any] {
        let result = curl("/jobinfo", data: "jobid=\(id)&format=json")
        let object = try JSONSerialization.jsonObject(with: Data(result.body.utf8)) as? [String: Any]
        guard let job = (object?["jobs"] as? [[String: Any]])?.first else { throw HarnessError("no job \(id): \(result)") }
        return job
    }

    /// The server's open descriptors: a held request (a wait) shows as one more.
    var openDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// A `/wait` with form `data`, once the server holds it while job `running`
    /// runs; its curl prints the status code as the last line.
    func heldWait(_ data: String, while running: Int64) throws -> StreamingCurl {
        _ = try pidOnceRunning(running)  // its pipes are open: they do not count as the wait
        let before = openDescriptors
        let waiter = try StreamingCurl(["-w", "%{http_code}\n", "--data", data, "\(base)/wait"])
        #expect(eventually { openDescriptors > before })
        return waiter
    }

    /// The pid (and process group) of a job, once it has started.
    func pidOnceRunning(_ id: Int64) throws -> Int32 {
        var pid: Int?
        _ = eventually { pid = (try? job(id))?["pid"] as? Int; return pid != nil }
        guard let pid else { throw HarnessError("job \(id) never started") }
        return Int32(pid)
    }

    /// A fifo a job can block on (`cat PATH`) until the test opens it.
    func makeGate() throws -> Gate {
        let path = directory.file("gate-\(UUID().uuidString.prefix(8))")
        guard mkfifo(path, 0o600) == 0 else { throw HarnessError("mkfifo \(path) failed") }
        return Gate(path: path)
    }

    /// A server with `count` queued jobs of about 1 KB each, their group paused (one batch submit).
    static func withBigQueue(_ count: Int) throws -> ServerProcess {
        let server = try ServerProcess()
        #expect(server.curl("/pause", data: "group=default").status == 200)
        let line = "echo " + String(repeating: "x", count: 1000) + "\n"
        let body = server.directory.file("batch")
        try String(repeating: line, count: count).write(toFile: body, atomically: true, encoding: .utf8)
        let batch = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", "@\(body)"])
        #expect(batch.status == 200 && batch.lines.count == count)
        return server
    }

    /// Runs the binary to its end (for start-up errors): exit status and stderr.
    static func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let result = try runToEnd(binary.path, arguments)
        return (result.status, result.stderr)
    }

    /// The `jobsched` built beside this test bundle, or the one `JOBSCHED_TEST_BINARY`
    /// names (to see a new test fail on an older build).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["JOBSCHED_TEST_BINARY"] { return URL(fileURLWithPath: path) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("jobsched")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.build/debug/jobsched")
    }()
}

struct Gate {
    let path: String

    /// Lets the job blocked on the fifo go on, handing it one line.
    func open(_ line: String) throws {
        try (line + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs the sqlite3 CLI on a database file, as another connection to it; returns what it prints.
@discardableResult
func sqlite3(_ path: String, _ sql: String) throws -> String {
    try sqlite3(path, commands: [sql])
}

/// The same for several commands in turn (SQL, or dot-commands such as `.parameter set`).
@discardableResult
func sqlite3(_ path: String, commands: [String]) throws -> String {
    let result = try runToEnd("/usr/bin/sqlite3", [path] + commands)
    #expect(result.status == 0, "sqlite3 \(commands.joined(separator: "\n")): \(result.stderr)")
    return result.stdout
}

/// Runs a program to its end, with `environment` added to the test's and
/// stdin from /dev/null: its exit status, stdout and stderr (each read whole:
/// for programs that print little).
func runToEnd(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
              directory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.currentDirectoryURL = directory
    let (out, err) = (Pipe(), Pipe())
    (process.standardOutput, process.standardError, process.standardInput) = (out, err, FileHandle.nullDevice)
    try process.run()
    let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, stdout, stderr)
}

/// Reads one line from `fd`, waiting at most `timeout` seconds for it.
func readLine(from fd: Int32, timeout: Double) -> String? {
    var bytes: [UInt8] = []
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pfd, 1, 100)
        if ready <= 0 { continue }
        var byte: UInt8 = 0
        guard read(fd, &byte, 1) == 1 else { break }
        if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
    return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
}

/// Polls `condition` until true or `timeout` passes: for facts that have no
/// event to wait on, such as a process having left /proc.
func eventually(timeout: Double = 30, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

extension Process {
    /// Makes this process the `jobsched` under test with `arguments`, started
    /// through `launcher` when there is one (e.g. `["/bin/bash", "-c",
    /// "ulimit -n 40; exec \"$0\" \"$@\""]`: jobsched is exec'd in place).
    func runsJobsched(_ arguments: [String], launcher: [String]) {
        if launcher.isEmpty {
            executableURL = ServerProcess.binary
            self.arguments = arguments
        } else {
            executableURL = URL(fileURLWithPath: launcher[0])
            self.arguments = Array(launcher.dropFirst()) + [ServerProcess.binary.path] + arguments
        }
    }
}

/// The live (not zombie) processes whose process group is `pgid`, from /proc.
func processes(inGroup pgid: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry),
              let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // After "(comm)": state ppid pgrp ...
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, fields[0] != "Z", Int32(fields[2]) == pgid else { return nil }
        return pid
    }
}
