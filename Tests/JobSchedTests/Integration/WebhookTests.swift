import Foundation
import Glibc
import Testing

/// notify=: a real server POSTs each job's end (and a drained group's) to a
/// real receiver (test/webhook-receiver), from an outbox in its database.
@Suite("Integration: webhooks")
struct WebhookIntegrationTests {
    /// A job's `notify_status` object, or nil.
    private static func delivery(_ server: ServerProcess, _ id: Int64) -> [String: Any]? {
        (try? server.job(id))?["notify_status"] as? [String: Any]
    }

    private static func deliveryStatus(_ server: ServerProcess, _ id: Int64) -> String? {
        delivery(server, id)?["status"] as? String
    }

    private static func deliveryError(_ server: ServerProcess, _ id: Int64) -> String {
        delivery(server, id)?["error"] as? String ?? ""
    }

    /// A name /etc/hosts gives 127.0.0.1 besides `localhost` (the host's own name, usually).
    private static func loopbackAlias() -> String? {
        let hosts = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
        for line in hosts.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.first == "127.0.0.1" else { continue }
            if let name = words.dropFirst().first(where: { $0 != "localhost" && !$0.hasPrefix("#") }) { return name }
        }
        return nil
    }

    /// Whether the README's three-line check says a body and its signature
    /// came from the server with this secret file: its lines, run by bash.
    private static func readmeCheckAccepts(body: String, signature: String, secret: String) throws -> Bool {
        let directory = try ScratchDirectory()
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let check = try #require(text.firstRange(of: "expected=\"sha256=").map { text[$0.lowerBound...] }?.prefix { $0 != "`" })
        try Data(body.utf8).write(to: URL(fileURLWithPath: directory.file("body.json")))
        try (secret + "\n").write(toFile: directory.file("secret"), atomically: true, encoding: .utf8)
        let result = try runToEnd("/bin/bash", ["-c", String(check)], environment: ["SIGNATURE": signature], directory: directory.url)
        return result.stdout == "from our jobsched\n"
    }

    /// Each job's end is POSTed once, as JSON, signed with the secret; the
    /// job shows its notification delivered; batch and /edit take notify= too.
    @Test func aJobsEndIsPostedSignedAndShownDelivered() throws {
        let directory = try ScratchDirectory()
        let secretFile = directory.file("secret")
        try "  s3cret-for-hooks\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let receiver = try WebhookReceiver()
        let server = try ServerProcess(["--webhook-secret-file", secretFile], directory: directory)
        let id = try server.submitAsync("echo hello; exit 3", extra: "&name=greeting&notify=\(receiver.url("/hook?team=a"))")
        server.waitFor(id)
        #expect(eventually { receiver.deliveries.count == 1 }, "\(server.log)")
        let got = try #require(receiver.deliveries.first)
        #expect(got.path == "/hook?team=a")
        #expect(got.headers["content-type"] == "application/json" && got.headers["x-jobsched-event"] == "job")
        #expect(got.headers["host"] == "127.0.0.1:\(receiver.port)")
        #expect(got.headers["x-jobsched-delivery"]?.hasSuffix("-1") == true, "\(got.headers)")
        // The README's check takes it, and nothing else; whitespace around the secret is not part of it.
        let signature = try #require(got.headers["x-jobsched-signature"])
        #expect(try Self.readmeCheckAccepts(body: got.body, signature: signature, secret: "s3cret-for-hooks"))
        #expect(try !Self.readmeCheckAccepts(body: got.body + " ", signature: signature, secret: "s3cret-for-hooks"))
        #expect(try !Self.readmeCheckAccepts(body: got.body, signature: signature, secret: "another-secret"))
        let job = try #require(got.json["job"] as? [String: Any])
        #expect(got.json["event"] as? String == "job")
        #expect(job["jobid"] as? Int == Int(id) && job["name"] as? String == "greeting" && job["status"] as? String == "success")
        #expect(job["returncode"] as? Int == 3 && job["notify"] as? String == receiver.url("/hook?team=a") && job["notify_status"] == nil)
        #expect(eventually { Self.deliveryStatus(server, id) == "delivered" })
        #expect(server.curl("/jobinfo?jobid=\(id)&fields=jobid,notify_status").lines.last == "\(id)\tdelivered")
        #expect(server.curl("/metrics").body.contains("jobsched_webhook_deliveries_total{outcome=\"delivered\"} 1\n"))

        // A batch: each of its jobs is told of, once.
        let batch = server.curl("/submit?sync=0&lines=1&notify=\(receiver.url("/batch"))", extra: ["--data-binary", "true\nfalse\ntrue\n"])
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(ids.count == 3, "\(batch)")
        #expect(eventually { receiver.deliveries.filter { $0.path == "/batch" }.count == 3 })
        let told = Set(receiver.deliveries.filter { $0.path == "/batch" }.compactMap { ($0.json["job"] as? [String: Any])?["jobid"] as? Int })
        #expect(told == Set(ids.map(Int.init)))
        // /edit gives a queued job one; the client's --notify too.
        let later = try server.submitAsync("true", extra: "&delay=1h")
        #expect(server.curl("/edit", data: "jobid=\(later)&notify=\(receiver.url("/edited"))").status == 200)
        #expect(server.curl("/edit", data: "jobid=\(later)&delay=0").status == 200)
        #expect(eventually { receiver.deliveries.contains { $0.path == "/edited" } })
        // A running job may be given one (and nothing else); its end is told there.
        let gate = try server.makeGate()
        let running = try server.submitAsync("cat \(gate.path)")
        _ = try server.pidOnceRunning(running)
        #expect(server.curl("/edit", data: "jobid=\(running)&notify=\(receiver.url("/running"))&priority=2").status == 409)
        let given = try ClientProcess.run(["edit", String(running), "--notify", receiver.url("/running")], server: server)
        #expect(given.status == 0 && given.stdout == "Job \(running) has been edited\n", "\(given)")
        #expect(try server.job(running)["notify"] as? String == receiver.url("/running"))
        try gate.open("go")
        #expect(eventually { receiver.deliveries.contains { $0.path == "/running" } })
        let client = try ClientProcess.run(["add", "--notify", receiver.url("/client"), "--", "true"], server: server)
        #expect(client.status == 0, "\(client)")
        #expect(eventually { receiver.deliveries.contains { $0.path == "/client" } })
        // Nobody is told twice, and no job without notify= is told at all.
        #expect(receiver.deliveries.count == 7)
        // One after another, deliveries to one receiver go over one kept connection.
        for round in 1...5 {
            server.waitFor(try server.submitAsync("true", extra: "&notify=\(receiver.url("/one-by-one"))"))
            #expect(eventually { receiver.deliveries.count == 7 + round })
        }
        let ports = Set(receiver.deliveries.filter { $0.path == "/one-by-one" }.map(\.clientPort))
        #expect(ports.count == 1, "\(ports)")
    }

    /// A receiver that answers 5xx, or is down, is tried again (1 s, then
    /// twice as long each time) until it answers 2xx, with the same delivery
    /// id; a 4xx fails at once; past --webhook-retry-for a delivery fails.
    @Test func aFailingReceiverIsTriedAgainUntilItAnswers() throws {
        let receiver = try WebhookReceiver(status: 500)
        let server = try ServerProcess()
        let id = try server.submitAsync("true", extra: "&notify=\(receiver.url())")
        #expect(eventually { (Self.delivery(server, id)?["attempts"] as? Int ?? 0) >= 2 })
        let pending = try #require(Self.delivery(server, id))
        #expect(pending["status"] as? String == "pending" && pending["error"] as? String == "HTTP 500", "\(pending)")
        // Down: connections refused, still pending.
        receiver.stop()
        let attempts = Self.delivery(server, id)?["attempts"] as? Int ?? 0
        #expect(eventually { (Self.delivery(server, id)?["attempts"] as? Int ?? 0) > attempts })
        #expect(Self.deliveryStatus(server, id) == "pending")
        #expect(Self.deliveryError(server, id).contains("could not connect"), "\(Self.delivery(server, id) ?? [:])")
        // Back, and answering.
        try receiver.start()
        receiver.answer(status: 204)
        #expect(eventually(timeout: 60) { Self.deliveryStatus(server, id) == "delivered" }, "\(server.log)")
        let ids = Set(receiver.deliveries.compactMap { $0.headers["x-jobsched-delivery"] })
        #expect(ids.count == 1 && receiver.deliveries.count >= 3, "\(receiver.deliveries.map(\.headers))")
        let metrics = server.curl("/metrics").body
        #expect(metrics.contains("jobsched_webhook_deliveries_total{outcome=\"delivered\"} 1\n"))
        #expect(!metrics.contains("jobsched_webhook_deliveries_total{outcome=\"retried\"} 0\n"), "\(metrics)")

        // A 404 is not tried again.
        receiver.answer(status: 404)
        let refused = try server.submitAsync("true", extra: "&notify=\(receiver.url("/gone"))")
        #expect(eventually { Self.deliveryStatus(server, refused) == "failed" })
        #expect(Self.delivery(server, refused)?["error"] as? String == "HTTP 404, not retried")
        #expect(Self.delivery(server, refused)?["attempts"] as? Int == 1)
        #expect(server.curl("/jobinfo?jobid=\(refused)&fields=notify_status").lines.last == "failed (1 attempt: HTTP 404, not retried)")
        #expect(server.log.contains("warning notifying \(receiver.url("/gone")) of job \(refused) failed: HTTP 404, not retried"))
        // A failed delivery goes with its job; one still to be sent would stay.
        #expect(try sqlite3(server.databasePath, "SELECT count(*) FROM deliveries WHERE failed = 1") == "1\n")
        #expect(server.curl("/remove", data: "jobid=\(refused)").status == 200)
        #expect(eventually { (try? sqlite3(server.databasePath, "SELECT count(*) FROM deliveries WHERE failed = 1")) == "0\n" })

        // Past --webhook-retry-for: failed, saying why.
        let brief = try ServerProcess(["--webhook-retry-for", "2"])
        receiver.answer(status: 503)
        let given = try brief.submitAsync("true", extra: "&notify=\(receiver.url("/brief"))")
        #expect(eventually { Self.deliveryStatus(brief, given) == "failed" })
        #expect(Self.deliveryError(brief, given).contains("HTTP 503; gave up after"), "\(Self.delivery(brief, given) ?? [:])")
    }

    /// The outbox is in the database: a server killed before its receiver
    /// got a job's end sends it after its restart.
    @Test func aKilledServerDeliversAfterItsRestart() throws {
        let directory = try ScratchDirectory()
        let receiver = try WebhookReceiver()
        receiver.stop()
        let server = try ServerProcess([], directory: directory)
        let id = try server.submitAsync("echo done", extra: "&notify=\(receiver.url("/after-crash"))")
        #expect(eventually { (Self.delivery(server, id)?["attempts"] as? Int ?? 0) >= 1 })
        _ = server.stop(signal: SIGKILL)
        try receiver.start()
        let restarted = try ServerProcess([], directory: directory)
        #expect(eventually(timeout: 60) { receiver.deliveries.count == 1 }, "\(restarted.log)")
        let job = try #require(receiver.deliveries.first?.json["job"] as? [String: Any])
        #expect(job["jobid"] as? Int == Int(id) && job["status"] as? String == "success")
        #expect(eventually { Self.deliveryStatus(restarted, id) == "delivered" })
    }

    /// A receiver that never answers holds only its share of the
    /// --webhook-limit deliveries under way: 1,000 jobs run as fast, and
    /// another receiver is still told at once.
    @Test func aHangingReceiverSlowsNothingElse() throws {
        let hanging = try WebhookReceiver()
        hanging.answer(hang: true)
        let other = try WebhookReceiver()
        let server = try ServerProcess(["-j", "4", "--webhook-limit", "4"])
        let start = Date()
        let batch = server.curl("/submit?sync=0&lines=1&notify=\(hanging.url())", extra: ["--data-binary", String(repeating: "true\n", count: 1000)])
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(ids.count == 1000)
        #expect(server.curl("/wait", data: "jobid=\(ids.last!)").status == 200)
        let elapsed = Date().timeIntervalSince(start)
        #expect(server.curl("/jobinfo?status=success&fields=jobid").lines.count == 1001)
        // At most half the limit go to the hanging one at once (each held 10 s, then tried again later).
        #expect(hanging.deliveries.count <= 2 * (1 + Int(elapsed / 10)), "\(hanging.deliveries.count) in \(elapsed) s")
        let told = try server.submitAsync("true", extra: "&notify=\(other.url("/other"))")
        #expect(eventually(timeout: 8) { other.deliveries.count == 1 }, "the other receiver waited behind the hanging one")
        #expect(Self.deliveryStatus(server, told) == "delivered" || eventually { Self.deliveryStatus(server, told) == "delivered" })
        #expect(server.curl("/health").status == 200)
        // Each hanging delivery is given up after 10 s and stays pending, with the reason.
        #expect(eventually(timeout: 40) { ids.prefix(2).contains { Self.deliveryError(server, $0).contains("no answer within 10 s") } })
    }

    /// /group?notify=URL: a group that drains (nothing queued or running after
    /// a job ended) is told of once, with its jobs counted by outcome.
    @Test func aGroupThatDrainsIsToldWithItsCounts() throws {
        let receiver = try WebhookReceiver()
        let server = try ServerProcess(["-j", "2"])
        #expect(server.curl("/pause", data: "group=nightly").status == 200)
        #expect(server.curl("/group", data: "group=nightly&notify=\(receiver.url("/group"))").status == 200)
        let json = server.curl("/group?format=json").body
        #expect(json.contains("\"notify\": \"\(receiver.url("/group"))\""), "\(json)")
        let batch = server.curl("/submit?sync=0&lines=1&group=nightly", extra: ["--data-binary", "true\ntrue\nexit 4\nsleep 60\n"])
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(ids.count == 4)
        #expect(server.curl("/resume", data: "group=nightly").status == 200)
        _ = try server.pidOnceRunning(ids[3])
        #expect(server.curl("/kill", data: "jobid=\(ids[3])").status == 200)
        server.waitFor(ids[0], ids[1], ids[2], ids[3])
        #expect(eventually { receiver.deliveries.count == 1 }, "\(server.log)")
        let got = try #require(receiver.deliveries.first)
        #expect(got.headers["x-jobsched-event"] == "group" && got.json["event"] as? String == "group")
        let group = try #require(got.json["group"] as? [String: Any])
        #expect(group["name"] as? String == "nightly" && group["done"] as? Int == 4)
        #expect(group["finished"] as? [String: Int] == ["zero": 2, "nonzero": 1, "killed": 1, "failed": 0], "\(group)")
        // Each drain is told; the client sets and clears it too.
        let client = try ClientProcess.run(["groups", "nightly", "--notify", receiver.url("/client")], server: server)
        #expect(client.status == 0, "\(client)")
        server.waitFor(try server.submitAsync("true", extra: "&group=nightly"))
        #expect(eventually { receiver.deliveries.count == 2 && receiver.deliveries[1].path == "/client" })
        #expect(server.curl("/group", data: "group=nightly&notify=").status == 200)
        server.waitFor(try server.submitAsync("true", extra: "&group=nightly"))
        let other = try server.submitAsync("true", extra: "&notify=\(receiver.url("/last"))")
        #expect(eventually { receiver.deliveries.contains { $0.path == "/last" } })
        #expect(receiver.deliveries.count == 3, "\(receiver.deliveries.map(\.path)) after job \(other)")
    }

    /// A URL that is not http(s), too long, or aimed at a link-local address
    /// or the server itself is a 400 that says why; --webhook-allow keeps
    /// deliveries to its hosts. A name is checked again once looked up.
    @Test func refusedURLsAreA400SayingWhy() throws {
        let server = try ServerProcess()
        let refused: [(String, String)] = [
            ("file:///etc/passwd", "only http:// and https:// URLs are notified, not 'file:'"),
            ("gopher://example.org/", "only http:// and https:// URLs are notified, not 'gopher:'"),
            ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
            ("http://[fe80::1%25eth0]/", "is not an IPv6 address"),
            ("http://[fe80::1]:8080/", "fe80::1 is a link-local address"),
            ("http://127.0.0.1:\(server.port)/submit", "127.0.0.1 port \(server.port) is this server's own address"),
            ("http://localhost:\(server.port)/", "port \(server.port) is this server's own address"),
            ("http://user:pw@example.org/", "may not carry a user or password"),
            ("http://example.org/" + String(repeating: "a", count: 2030), "at most 2048 bytes, this one is 2049"),
            ("example.org/hook", "must start with http:// or https://"),
        ]
        for (url, reason) in refused {
            let result = server.curl("/submit", extra: ["--data-urlencode", "notify=\(url)", "--data", "command=true&sync=0"])
            #expect(result.status == 400 && result.body.contains("notify: ") && result.body.contains(reason), "\(url): \(result)")
            let edit = server.curl("/group", extra: ["--data-urlencode", "notify=\(url)", "--data", "group=g"])
            #expect(edit.status == 400 && edit.body.contains(reason), "\(url): \(edit)")
        }
        // Another port of this host is fine: that is where a local notifier listens.
        #expect(server.curl("/submit", data: "command=true&sync=0&notify=http://127.0.0.1:1/").status == 200)

        let allowing = try ServerProcess(["--webhook-allow", "hooks.example.org, 127.0.0.1"])
        let other = allowing.curl("/submit", data: "command=true&sync=0&notify=http://example.org/")
        #expect(other.status == 400 && other.body.contains("'example.org' is not one of the hosts --webhook-allow lets deliveries go to"), "\(other)")
        #expect(allowing.curl("/submit", data: "command=true&sync=0&notify=https://HOOKS.example.org/x").status == 200)
        #expect(allowing.curl("/submit", data: "command=true&sync=0&notify=http://127.0.0.1:9/x").status == 200)

        // A name for this host's loopback address (from /etc/hosts) passes the
        // submit, and its looked-up address is refused before any connection.
        if let alias = Self.loopbackAlias() {
            let id = try server.submitAsync("true", extra: "&notify=http://\(alias):\(server.port)/loop")
            #expect(eventually { Self.deliveryStatus(server, id) == "failed" })
            #expect(Self.deliveryError(server, id) == "refused: \(alias) resolves to 127.0.0.1 port \(server.port) is this server's own address: it does not notify itself",
                    "\(Self.delivery(server, id) ?? [:])")
        }
    }

    /// https: the receiver's certificate is checked against its name (here
    /// trusted through SSL_CERT_FILE); one that does not verify is not sent to.
    @Test func httpsReceiversAreCheckedAgainstTheirName() throws {
        let directory = try ScratchDirectory()
        let (certificate, key) = (directory.file("receiver.pem"), directory.file("receiver.key"))
        let made = try runToEnd("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                      "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=localhost",
                                                      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        #expect(made.status == 0, "\(made.stderr)")
        let receiver = try WebhookReceiver(tls: (certificate, key))
        let trusting = try ServerProcess([], environment: ["SSL_CERT_FILE": certificate])
        let byName = try trusting.submitAsync("true", extra: "&notify=https://localhost:\(receiver.port)/name")
        let byAddress = try trusting.submitAsync("true", extra: "&notify=https://127.0.0.1:\(receiver.port)/address")
        #expect(eventually { Self.deliveryStatus(trusting, byName) == "delivered" && Self.deliveryStatus(trusting, byAddress) == "delivered" },
                "\(trusting.log)")
        #expect(Set(receiver.deliveries.map(\.path)) == ["/name", "/address"])
        let untrusting = try ServerProcess()
        let refused = try untrusting.submitAsync("true", extra: "&notify=https://localhost:\(receiver.port)/untrusted")
        #expect(eventually { Self.deliveryError(untrusting, refused).contains("certificate does not verify") },
                "\(Self.delivery(untrusting, refused) ?? [:])")
        #expect(!receiver.deliveries.contains { $0.path == "/untrusted" })
    }
}
