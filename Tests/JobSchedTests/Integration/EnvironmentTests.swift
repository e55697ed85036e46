import Foundation
import Testing

/// A job runs in the environment of the shell that queued it (issue 28,
/// item 1): `jobsched add` and `run` send their caller's, `--no-env` does
/// not, `-e` adds on top; it is stored once per distinct environment, kept by
/// `restart` and `--resume`, and listed only when asked for.
@Suite("Integration: a job's environment is its caller's", .serialized)
struct EnvironmentIntegrationTests {
    private let marker = "JOBSCHED_TEST_VALUE_\(UUID().uuidString.prefix(8))"

    @Test func addAndRunCarryTheCallersEnvironment() throws {
        let server = try ServerProcess()
        // A tool only this caller's PATH finds, as in an activated virtualenv.
        let bin = server.directory.file("venv-bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\necho venv tool\n".write(toFile: bin + "/venvtool", atomically: true, encoding: .utf8)
        chmod(bin + "/venvtool", 0o755)
        let shell = ["FOO": marker, "PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]

        let run = try ClientProcess.run(["run", "--", "echo $FOO; venvtool; echo ${JOBSCHED_URL-no url}"], server: server, environment: shell)
        #expect(run.status == 0 && run.stdout == "\(marker)\nvenv tool\nno url\n", "\(run)")
        let added = try ClientProcess.run(["add", "-q", "-e", "FOO=override", "--", "echo $FOO"], server: server, environment: shell)
        let id = try #require(Int64(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(added)")
        server.waitFor(id)
        #expect(server.curl("/output", data: "jobid=\(id)").body == "override\n")
        // The server's environment, as before: no FOO, no venvtool.
        let bare = try ClientProcess.run(["run", "--no-env", "--", "echo \"[${FOO-}]\"; venvtool"], server: server, environment: shell)
        #expect(bare.status == 127 && bare.stdout.hasPrefix("[]\n") && bare.stdout.contains("venvtool: command not found"), "\(bare)")

        // Stored once for every job of the same shell; listed only when named.
        #expect(try sqlite3(server.databasePath, "SELECT count(*) FROM environments") == "1\n")
        let listed = server.curl("/jobinfo", data: "jobid=\(id)&format=json")
        #expect(listed.status == 200 && !listed.body.contains("environment") && !listed.body.contains(marker), "\(listed)")
        let named = server.curl("/jobinfo", data: "jobid=\(id)&format=json&fields=jobid,environment")
        let job = try #require(((try JSONSerialization.jsonObject(with: Data(named.body.utf8)) as? [String: Any])?["jobs"] as? [[String: Any]])?.first)
        let entries = try #require(job["environment"] as? [String], "\(named)")
        #expect(entries.contains("FOO=\(marker)") && !entries.contains { $0.hasPrefix("JOBSCHED_URL=") })
        // curl users are unchanged: no environment= is the server's environment.
        let curlJob = try server.submitAsync("echo \"[${FOO-}]\"")
        server.waitFor(curlJob)
        #expect(server.curl("/output", data: "jobid=\(curlJob)").body == "[]\n")
        #expect(server.curl("/submit?sync=0&lines=1&environment=A=1", data: "true").status == 400)
    }

    @Test func restartAndResumeKeepTheEnvironment() throws {
        let first = try ServerProcess(["--resume"])
        let shell = ["FOO": marker]
        #expect(first.curl("/pause", data: "group=held").status == 200)
        let held = try ClientProcess.run(["add", "-q", "-g", "held", "--", "echo $FOO"], server: first, environment: shell)
        let heldID = try #require(Int64(held.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(held)")
        let done = try ClientProcess.run(["run", "--", "echo $FOO"], server: first, environment: shell)
        #expect(done.stdout == "\(marker)\n")
        #expect(first.stop() == 0)

        let server = try ServerProcess(["--resume"], directory: first.directory)
        #expect(server.curl("/resume", data: "group=held").status == 200)
        server.waitFor(heldID)
        #expect(server.curl("/output", data: "jobid=\(heldID)").body == "\(marker)\n")
        let restarted = try ClientProcess.run(["restart", "-q", String(heldID)], server: server)
        let again = try #require(Int64(restarted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(restarted)")
        server.waitFor(again)
        #expect(server.curl("/output", data: "jobid=\(again)").body == "\(marker)\n")
    }

    @Test func theClientsTokenNeverTravels() throws {
        let directory = try ScratchDirectory()
        let token = "tok-\(UUID().uuidString)"
        let tokenFile = directory.file("token")
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--token-file", tokenFile], directory: directory)
        let run = try ClientProcess.run(["run", "--", "echo ${JOBSCHED_TOKEN-no token}"], server: server, environment: ["JOBSCHED_TOKEN": token])
        #expect(run.status == 0 && run.stdout == "no token\n", "\(run)")
        #expect(try !sqlite3(server.databasePath, "SELECT entries FROM environments").contains(token))
        // Without it, the client says how to give one, not which HTTP header to send.
        let refused = try ClientProcess.run(["ls"], server: server)
        #expect(refused.status == 125 && refused.stderr == "jobsched: missing or wrong token; give --token-file FILE or set JOBSCHED_TOKEN\n", "\(refused)")
    }
}
