import Foundation
import Glibc
import Testing

/// The TCP port over TLS: real handshakes with curl, openssl s_client and the client.
@Suite("Integration: TLS")
struct TLSIntegrationTests {
    /// Runs `openssl ARGS`, stdin empty: status, stdout and stderr together.
    private static func openssl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = try runToEnd("/usr/bin/openssl", arguments)
        return (result.status, result.stdout + result.stderr)
    }

    /// A P-256 key and a certificate for 127.0.0.1 and localhost, made with openssl as a user would.
    private static func makeCertificate(in directory: ScratchDirectory, name: String) throws -> (certificate: String, key: String) {
        let certificate = directory.file("\(name).crt"), key = directory.file("\(name).key")
        let made = try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                                "-keyout", key, "-out", certificate, "-subj", "/CN=localhost",
                                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        guard made.status == 0 else { throw HarnessError("openssl req: \(made.output)") }
        return (certificate, key)
    }

    /// openssl's fingerprint of a certificate file: `AB:CD:…`.
    private static func fingerprint(of certificate: String) throws -> String {
        let shown = try openssl(["x509", "-in", certificate, "-noout", "-fingerprint", "-sha256"]).output
        return String(shown.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// --tls-self-signed: https on the TCP port, with a certificate and key
    /// made on the first start (key 0600, folder 0700) for the machine's
    /// names, its fingerprint in the log, reused by the next start.
    @Test func aSelfSignedCertificateIsMadeOnceAndReused() throws {
        let directory = try ScratchDirectory()
        var server: ServerProcess? = try ServerProcess(["--tls-self-signed"], directory: directory)
        let first = try #require(server)
        #expect(first.base.hasPrefix("https://127.0.0.1:"))
        let folder = first.databasePath + ".tls"
        let modes = try [folder, folder + "/key.pem"].map { try FileManager.default.attributesOfItem(atPath: $0)[.posixPermissions] as? Int }
        #expect(modes == [0o700, 0o600])
        #expect(first.curl("/health").body == "ok\n")
        // The names it is made for.
        let port = first.port
        #expect(Curl.run(first.trust + ["https://localhost:\(port)/health"]).body == "ok\n")
        let names = try Self.openssl(["x509", "-in", first.cacert, "-noout", "-ext", "subjectAltName"]).output
        #expect(names.contains("IP Address:127.0.0.1") && names.contains("IP Address:0:0:0:0:0:0:0:1") && names.contains("DNS:localhost"), "\(names)")
        let host = ProcessInfo.processInfo.hostName
        #expect(names.contains("DNS:\(host)"), "\(names), host \(host)")
        // Without trusting it, curl refuses the connection (60: the peer's certificate cannot be verified).
        #expect(Curl.run(["\(first.base)/health"]).exitCode == 60)
        let fingerprint = try Self.fingerprint(of: first.cacert)
        #expect(fingerprint.count == 95 && first.log.contains("SHA-256 fingerprint \(fingerprint)"), "\(first.log)")
        #expect(first.log.contains("TLS: made a self-signed certificate"))
        #expect(first.stop() == 0)
        server = nil

        let again = try ServerProcess(["--tls-self-signed"], directory: directory)
        #expect(again.log.contains("made by an earlier start") && again.log.contains("SHA-256 fingerprint \(fingerprint)"), "\(again.log)")
        #expect(again.curl("/health").body == "ok\n")
    }

    /// A certificate and key of the user's own serve; a key that is not the
    /// certificate's, or a file that cannot be read, stops the server at
    /// start with one line naming it.
    @Test func aGivenCertificateServesAndABadOneStopsTheServer() throws {
        let directory = try ScratchDirectory()
        let own = try Self.makeCertificate(in: directory, name: "own")
        let other = try Self.makeCertificate(in: directory, name: "other")
        let server = try ServerProcess(["--tls-cert", own.certificate, "--tls-key", own.key], directory: directory)
        server.cacert = own.certificate
        #expect(server.curl("/health").body == "ok\n")
        #expect(server.log.contains("SHA-256 fingerprint \(try Self.fingerprint(of: own.certificate))"))

        let garbage = directory.file("garbage.pem")
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let database = directory.file("bad.sqlite")
        for (certificate, key, said) in [
            (own.certificate, other.key, "jobsched: error: --tls-key '\(other.key)' is not the key of --tls-cert '\(own.certificate)'"),
            ("/nonexistent/cert.pem", own.key, "jobsched: error: cannot use --tls-cert '/nonexistent/cert.pem'"),
            (garbage, own.key, "jobsched: error: cannot use --tls-cert '\(garbage)'"),
            (own.certificate, garbage, "jobsched: error: cannot use --tls-key '\(garbage)'"),
        ] {
            let refused = try ServerProcess.run(["-p", "0", "--dbfile", database, "--tls-cert", certificate, "--tls-key", key])
            #expect(refused.status == 1 && refused.stderr.hasPrefix(said) && refused.stderr.split(separator: "\n").count == 1, "\(refused)")
        }
        let alone = try ServerProcess.run(["-p", "0", "--dbfile", database, "--tls-cert", own.certificate])
        #expect(alone.status == 64 && alone.stderr.contains("--tls-cert and --tls-key go together"), "\(alone)")
        let both = try ServerProcess.run(["-p", "0", "--dbfile", database, "--tls-self-signed", "--tls-cert", own.certificate, "--tls-key", own.key])
        #expect(both.status == 64 && both.stderr.contains("--tls-self-signed makes its own certificate"), "\(both)")
    }

    /// TLS 1.2 and 1.3 are negotiated, with ALPN http/1.1; 1.1 is refused
    /// although the client offers it (its security level lowered to let it).
    @Test func onlyTLS12And13AreSpoken() throws {
        let server = try ServerProcess(["--tls-self-signed"])
        let address = "127.0.0.1:\(server.port)"
        for version in ["1_2", "1_3"] {
            let shown = try Self.openssl(["s_client", "-connect", address, "-tls\(version)", "-alpn", "http/1.1", "-CAfile", server.cacert])
            #expect(shown.output.contains("Protocol  : TLSv\(version.replacingOccurrences(of: "_", with: "."))")
                    || shown.output.contains("New, TLSv\(version.replacingOccurrences(of: "_", with: "."))"), "\(shown.output)")
            #expect(shown.output.contains("ALPN protocol: http/1.1") && shown.output.contains("Verify return code: 0 (ok)"), "\(shown.output)")
        }
        // Python's ssl, as a script would connect: verified by the certificate and a name in it.
        let python = try runToEnd("/usr/bin/python3", ["-c", """
            import socket, ssl, sys
            context = ssl.create_default_context(cafile=sys.argv[1])
            context.set_alpn_protocols(["http/1.1"])
            with context.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[2]))), server_hostname="localhost") as s:
                s.sendall(b"GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
                print(s.version(), s.selected_alpn_protocol(), s.recv(4096).split(b"\\r\\n")[0].decode())
            """, server.cacert, String(server.port)])
        #expect(python.stdout == "TLSv1.3 http/1.1 HTTP/1.1 200 OK\n", "\(python)")
        let old = try Self.openssl(["s_client", "-connect", address, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])
        // The client did offer it (no "no protocols available" of its own), and the server said no.
        #expect(old.status != 0 && !old.output.contains("no protocols available") && old.output.contains("alert protocol version"), "\(old.output)")
        #expect(server.curl("/health").body == "ok\n")
    }

    /// Plain HTTP on the TLS port gets no HTTP reply and runs nothing; the server goes on.
    @Test func plainHTTPOnTheTLSPortIsHarmless() throws {
        let server = try ServerProcess(["--tls-self-signed"])
        let marker = server.directory.file("ran")
        let plain = Curl.run(["--data-urlencode", "command=touch \(marker)", "http://127.0.0.1:\(server.port)/submit"])
        #expect(plain.exitCode != 0 && plain.status == 0, "\(plain)")
        let raw = try RawConnection(port: server.port)
        #expect(raw.send("POST /submit HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\ncommand=touch+marker"))
        #expect(!raw.readAll(timeout: 15).contains("HTTP/1.1"))
        #expect(server.curl("/jobinfo?all=1&fields=jobid").lines == ["jobid"])
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    /// 200 idle sockets and 50 half-sent ClientHellos do not keep others
    /// waiting, and are let go once their 10 s to finish the handshake are up.
    @Test func stalledHandshakesAreLetGo() throws {
        let server = try ServerProcess(["--tls-self-signed"])
        let before = server.socketCount
        let idle = try (0..<200).map { _ in try RawConnection(port: server.port) }
        let halfHellos = try (0..<50).map { _ in try RawConnection(port: server.port) }
        // A TLS record header announcing a 512-byte handshake message, then nothing.
        for connection in halfHellos { #expect(connection.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])) }
        #expect(eventually { server.socketCount >= before + 250 })
        for _ in 0..<5 { #expect(server.curl("/health", extra: ["-m", "5"]).body == "ok\n") }
        #expect(eventually(timeout: 40) { server.socketCount <= before + 1 }, "\(server.socketCount) sockets, \(before) before")
        withExtendedLifetime(idle) {}
        withExtendedLifetime(halfHellos) {}
    }

    /// Output streaming, a sync job killed when its client goes, /wait,
    /// /events, follow=1, batch submit and the dashboard, all over TLS; the
    /// Unix socket stays plain.
    @Test func everyFeatureWorksOverTLS() throws {
        let directory = try ScratchDirectory()
        let socket = directory.file("s")
        let server = try ServerProcess(["--tls-self-signed", "--socket", socket], directory: directory)
        let sync = server.curl("/submit", extra: ["--data-urlencode", "command=echo a; sleep 0.2; echo b"])
        // The job's id, then its output as it comes.
        #expect(sync.status == 200 && sync.lines.dropFirst().prefix(2) == ["a", "b"], "\(sync)")
        let batch = server.curl("/submit?sync=0&lines=1", extra: ["--data-binary", "true\ntrue\ntrue\n"])
        #expect(batch.lines.count == 3, "\(batch)")
        let ids = batch.lines.compactMap { Int64($0) }
        #expect(server.curl("/wait", data: "jobid=" + ids.map(String.init).joined(separator: ",")).lines.count == 3)

        let events = try EventStreamClient(server, extra: server.trust)
        #expect(events.waitUntilConnected())
        let gate = try server.makeGate()
        let follower = try server.submitAsync("echo started; cat \(gate.path); echo done")
        let follow = try StreamingCurl(server.trust + ["\(server.base)/output?jobid=\(follower)&follow=1"])
        #expect(follow.nextLine() == "started")
        #expect(events.events(until: { $0.summary == "started \(follower)" }).last?.summary == "started \(follower)")
        try gate.open("go")
        #expect(follow.remainingLines().prefix(2) == ["go", "done"])

        // Hundreds of /wait held over TLS at once, all answered when the job ends.
        let waited = try server.makeGate()
        let job = try server.submitAsync("cat \(waited.path)")
        let before = server.socketCount
        let waiters = try StreamingCurl(server.trust + ["-Z", "--parallel-immediate", "--parallel-max", "300", "\(server.base)/wait?jobid=\(job)&timeout=[1000-1299]"])
        // `before` may still count a connection or two of the requests above, closing.
        #expect(eventually(timeout: 60) { server.socketCount >= before + 290 }, "\(server.socketCount) sockets, \(before) before")
        try waited.open("go")
        let replies = waiters.remainingLines(timeout: 120)
        #expect(replies.count == 300 && Set(replies) == ["job \(job) success returncode=0"], "\(replies.count) replies")

        // A sync job's client that goes kills its job, over TLS too.
        let held = try StreamingCurl(server.trust + ["--data-urlencode", "command=echo up; sleep 60", "\(server.base)/submit"])
        #expect(held.nextLine().flatMap { Int($0) } != nil && held.nextLine() == "up")
        held.killClient()
        #expect(eventually { server.curl("/jobinfo?status=killed&fields=jobid").lines.count == 2 })

        #expect(server.curl("/", extra: ["-o", "/dev/null", "-w", "%{http_code}"]).body == "200")
        // The dashboard's own page posts with an https origin; a plain-http one is another site.
        #expect(server.curl("/submit", data: "command=true&sync=0", extra: ["-H", "Origin: https://127.0.0.1:\(server.port)"]).status == 200)
        #expect(server.curl("/submit", data: "command=true&sync=0", extra: ["-H", "Origin: http://127.0.0.1:\(server.port)"]).status == 403)
        let plain = Curl.run(["--unix-socket", socket, "http://localhost/health"])
        #expect(plain.body == "ok\n")
    }

    /// The client: https with --cacert or $JOBSCHED_CACERT, or a pinned
    /// fingerprint in either spelling; a certificate it cannot trust, or the
    /// wrong fingerprint, is exit 125 with a line that says so.
    @Test func theClientChecksTheServersCertificate() throws {
        let server = try ServerProcess(["--tls-self-signed"])
        let url = "https://127.0.0.1:\(server.port)"
        let fingerprint = try Self.fingerprint(of: server.cacert)
        let bare = fingerprint.replacingOccurrences(of: ":", with: "").lowercased()
        for (arguments, environment) in [
            (["--cacert", server.cacert], [String: String]()),
            ([], ["JOBSCHED_CACERT": server.cacert]),
            (["--fingerprint", fingerprint], [:]),
            (["--fingerprint", bare], [:]),
            ([], ["JOBSCHED_FINGERPRINT": bare]),
        ] {
            let added = try ClientProcess.run(["add", "-q", "--url", url] + arguments + ["--", "echo", "hi"], server: server, environment: environment)
            #expect(added.status == 0 && Int(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "\(arguments) \(environment) \(added)")
        }
        let run = try ClientProcess.run(["run", "--url", url, "--cacert", server.cacert, "--", "echo", "over tls"], server: server)
        #expect(run.status == 0 && run.stdout == "over tls\n", "\(run)")

        let unknown = try ClientProcess.run(["ls", "--url", url], server: server)
        #expect(unknown.status == 125 && unknown.stderr.contains("certificate does not verify") && unknown.stderr.contains("--fingerprint"), "\(unknown)")
        let wrong = String(repeating: "ab", count: 32)
        let pinned = try ClientProcess.run(["ls", "--url", url, "--fingerprint", wrong], server: server)
        #expect(pinned.status == 125 && pinned.stderr.contains(fingerprint) && pinned.stderr.contains(String(repeating: "AB:", count: 31) + "AB"), "\(pinned)")
        let bad = try ClientProcess.run(["ls", "--url", url, "--fingerprint", "12:34"], server: server)
        #expect(bad.status == 64 && bad.stderr.contains("--fingerprint must be a SHA-256 fingerprint"), "\(bad)")
        // A plain http:// client on the TLS port gets no reply it could take for the server's.
        let plain = try ClientProcess.run(["ls", "--url", "http://127.0.0.1:\(server.port)"], server: server)
        #expect(plain.status != 0, "\(plain)")
    }
}
