import Foundation
import Glibc

/// test/webhook-receiver: a real HTTP server on 127.0.0.1 that records every
/// POST it gets, answers as told (a status, a delay, or never), and can be
/// stopped and started again on the same port. Stopped with its last reference.
final class WebhookReceiver {
    struct Delivery {
        let path: String
        let headers: [String: String]
        let body: String
        let clientPort: Int
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("test/webhook-receiver").path

    let directory: ScratchDirectory
    private(set) var port = 0
    private var process: Process?
    private let options: [String]
    var logPath: String { directory.file("deliveries") }

    init(status: Int = 200, delay: Double = 0, tls: (certificate: String, key: String)? = nil) throws {
        directory = try ScratchDirectory()
        options = ["--status", String(status), "--delay", String(delay)]
            + (tls.map { ["--tls-cert", $0.certificate, "--tls-key", $0.key] } ?? [])
        try start()
    }

    deinit { stop() }

    /// Starts it (again on its port, once it has one), answering as it was made to.
    func start() throws {
        let portFile = directory.file("port")
        try? FileManager.default.removeItem(atPath: portFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [WebhookReceiver.script, "--port", String(port), "--port-file", portFile, "--log", logPath] + options
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        guard eventually(timeout: 30, { FileManager.default.fileExists(atPath: portFile) }),
              let text = try? String(contentsOfFile: portFile, encoding: .utf8), let bound = Int(text) else {
            throw HarnessError("the webhook receiver did not start")
        }
        port = bound
    }

    /// Stops it at once: its port refuses connections until `start()`.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// How it answers from now on.
    func answer(status: Int? = nil, delay: Double? = nil, hang: Bool? = nil) {
        let query = [status.map { "status=\($0)" }, delay.map { "delay=\($0)" }, hang.map { "hang=\($0 ? 1 : 0)" }]
            .compactMap { $0 }.joined(separator: "&")
        let result = Curl.run(["-X", "POST", "http://127.0.0.1:\(port)/_control?\(query)"])
        precondition(result.status == 200, "the receiver did not take its orders: \(result)")
    }

    func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Every POST it has recorded, in order.
    var deliveries: [Delivery] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let record = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return nil }
            return Delivery(path: record["path"] as? String ?? "", headers: record["headers"] as? [String: String] ?? [:],
                            body: record["body"] as? String ?? "", clientPort: record["client_port"] as? Int ?? 0)
        }
    }
}
