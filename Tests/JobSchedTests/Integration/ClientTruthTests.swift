import Foundation
import Testing

/// The client tells the truth in its exit status and on stderr (issue 28,
/// items 3 and 4): an id the server could not act on is exit 125 with its
/// line on stderr, after the rest was done; a group no job has used is said
/// on stderr; an id of no job is a 404 on every endpoint, `/jobinfo` too.
@Suite("Integration: the client's exit status and stderr tell what happened", .serialized)
struct ClientTruthIntegrationTests {
    private func jobsched(_ arguments: String..., server: ServerProcess) throws -> ClientResult {
        try ClientProcess.run(arguments, server: server)
    }

    @Test func killAndRmOfJobsTheyCannotActOnExit125() throws {
        let server = try ServerProcess(["-j", "1"])
        let done = try server.submitAsync("true")
        server.waitFor(done)
        let running = try server.submitAsync("sleep 300")
        #expect(eventually(timeout: 60) { server.curl("/jobinfo", data: "jobid=\(running)&fields=status").body.contains("running") })
        let queued = try server.submitAsync("true")

        let finished = try jobsched("kill", String(done), server: server)
        #expect(finished.status == 125 && finished.stdout.isEmpty, "\(finished)")
        #expect(finished.stderr == "Error: job \(done) has already finished (success)\n", "\(finished)")
        // The rest is done: the queued job is killed, its line on stdout.
        let mixed = try jobsched("kill", String(queued), String(done), server: server)
        #expect(mixed.status == 125 && mixed.stdout == "Job \(queued) has been killed\n", "\(mixed)")
        #expect(mixed.stderr == "Error: job \(done) has already finished (success)\n", "\(mixed)")

        let busy = try jobsched("rm", String(running), server: server)
        #expect(busy.status == 125 && busy.stdout.isEmpty && busy.stderr == "Error: job \(running) is running; kill it first\n", "\(busy)")
        let removed = try jobsched("rm", String(done), server: server)
        #expect(removed.status == 0 && removed.stdout == "Job \(done) has been removed\n" && removed.stderr.isEmpty, "\(removed)")
        #expect(try jobsched("kill", String(running), server: server).status == 0)
    }

    @Test func pausingAGroupNoJobHasUsedIsSaidAndLeavesNoTrace() throws {
        let server = try ServerProcess()
        let paused = try jobsched("pause", "nosuchgroup", server: server)
        #expect(paused.status == 0 && paused.stdout.isEmpty, "\(paused)")
        #expect(paused.stderr == "Paused group nosuchgroup: no job has used it yet\n", "\(paused)")
        // Paused before its jobs arrive: it is kept, and shown.
        #expect(try jobsched("groups", server: server).stdout.split(separator: "\n").contains { $0.split(separator: " ").prefix(3) == ["nosuchgroup", "-", "1"] })
        let resumed = try jobsched("resume", "nosuchgroup", server: server)
        #expect(resumed.status == 0 && resumed.stderr == "Resumed group nosuchgroup: no job has used it yet\n", "\(resumed)")
        // No jobs, default settings, not paused: not a group to list.
        #expect(!(try jobsched("groups", server: server).stdout.contains("nosuchgroup")))
        // A group that has jobs is paused without a word on stderr.
        server.waitFor(try server.submitAsync("true", extra: "&group=used"))
        let used = try jobsched("pause", "used", server: server)
        #expect(used.status == 0 && used.stdout == "Paused group used\n" && used.stderr.isEmpty, "\(used)")
    }

    @Test func anIDOfNoJobIsA404EverywhereAndExit125() throws {
        let server = try ServerProcess()
        let id = try server.submitAsync("true")
        server.waitFor(id)
        for path in ["/output", "/wait", "/kill", "/remove"] {
            let reply = server.curl(path, data: "jobid=99999")
            #expect(reply.status == 404 && reply.body == "Error: unknown job id 99999\n", "\(path): \(reply)")
        }
        // /jobinfo lists the jobs that exist, then the line that names the others.
        let listed = server.curl("/jobinfo", data: "jobid=\(id),99998,99999&fields=jobid")
        #expect(listed.status == 404 && listed.lines == ["jobid", String(id), "Error: unknown job id 99998,99999"], "\(listed)")
        let json = server.curl("/jobinfo", data: "jobid=\(id),99998,99999&format=json&fields=jobid")
        #expect(json.status == 404 && json.body == "{\"jobs\": [{\"jobid\": \(id)}], \"error\": \"unknown job id 99998,99999\"}\n", "\(json)")
        #expect(server.curl("/jobinfo", data: "jobid=\(id)&fields=jobid").lines == ["jobid", String(id)])
        let some = try ClientProcess.run(["ls", String(id), "99999"], server: server)
        #expect(some.status == 125 && some.stdout.contains("\(id)  ") && some.stderr == "jobsched: unknown job id 99999\n", "\(some)")
        for subcommand in ["ls", "show", "log", "wait", "kill", "rm"] {
            let result = try ClientProcess.run([subcommand, "99999"], server: server)
            #expect(result.status == 125 && result.stderr == "jobsched: unknown job id 99999\n", "\(subcommand): \(result)")
            #expect(result.stdout.isEmpty || subcommand == "ls", "\(subcommand): \(result)")
        }
    }
}

/// The client's help and its subcommands (issue 28, item 7).
@Suite("Integration: the client's help, typos and clean", .serialized)
struct ClientHelpIntegrationTests {
    @Test func helpNamesEverySubcommandAndATypoGetsASuggestion() throws {
        let directory = try ScratchDirectory()
        let root = try ClientProcess.run(["help"], server: nil, directory: directory)
        #expect(root.status == 0 && ["serve", "add", "ls", "clean", "completion"].allSatisfy { root.stdout.contains("\n  \($0) ") }, "\(root)")
        #expect(try ClientProcess.run(["--help"], server: nil, directory: directory).stdout == root.stdout)
        let add = try ClientProcess.run(["help", "add"], server: nil, directory: directory)
        #expect(add.status == 0 && add.stdout.hasPrefix("USAGE: jobsched add [options] [--] COMMAND..."), "\(add)")
        let serve = try ClientProcess.run(["help", "serve"], server: nil, directory: directory)
        #expect(serve.status == 0 && serve.stdout.contains("--detach") && serve.stdout.contains("--dbfile"), "\(serve)")
        for (typo, meant) in [("list", "ls"), ("clen", "clean"), ("remove", "rm"), ("folow", "follow")] {
            let result = try ClientProcess.run([typo], server: nil, directory: directory)
            #expect(result.status == 64 && result.stderr.hasPrefix("jobsched: unknown subcommand '\(typo)'; did you mean '\(meant)'?\n"),
                    "\(typo): \(result)")
            #expect(result.stderr.contains("\n  ls ") && !result.stderr.contains("--dbfile"), "the client's list, not the server's usage")
        }
        #expect(try ClientProcess.run(["xyzzy"], server: nil, directory: directory).stderr.hasPrefix("jobsched: unknown subcommand 'xyzzy'\n"))
    }

    @Test func cleanRemovesFinishedJobs() throws {
        let server = try ServerProcess()
        let ok = try server.submitAsync("true")
        let bad = try server.submitAsync("exit 3")
        server.waitFor(ok, bad)
        let queued = try server.submitAsync("sleep 300", extra: "&group=held")
        #expect(server.curl("/kill", data: "jobid=\(queued)").status == 200)
        let killed = try ClientProcess.run(["clean", "--status", "killed"], server: server)
        #expect(killed.status == 0 && killed.stdout == "Removed 1 jobs\n", "\(killed)")
        let rest = try ClientProcess.run(["clean"], server: server)
        #expect(rest.status == 0 && rest.stdout == "Removed 2 jobs\n", "\(rest)")
        #expect(server.curl("/jobinfo", data: "all=1&fields=jobid").lines == ["jobid"])
    }
}

/// The client's replies follow one rule (issue 28, item 10): a new job is
/// `job N added` (`-q`: the id), an end that is news goes to stderr with the
/// job's reason, and every usage error exits 64.
@Suite("Integration: the client's replies are consistent", .serialized)
struct ClientConsistencyIntegrationTests {
    @Test func restartRunFollowAndUsageErrorsSayTheSameThings() throws {
        let server = try ServerProcess()
        server.waitFor(try server.submitAsync("true"))
        let restarted = try ClientProcess.run(["restart", "1"], server: server)
        #expect(restarted.status == 0 && restarted.stdout == "job 2 added\n", "\(restarted)")
        #expect(try ClientProcess.run(["restart", "-q", "1"], server: server).stdout == "3\n")

        let noStart = try ClientProcess.run(["run", "--cwd", "/nonexistent-dir", "--", "true"], server: server)
        #expect(noStart.status == 126, "\(noStart)")
        #expect(noStart.stderr.hasPrefix("jobsched: job 4 failed returncode=-: cannot use cwd '/nonexistent-dir'"), "\(noStart)")
        let timedOut = try ClientProcess.run(["run", "--timeout", "1", "--", "sleep", "60"], server: server)
        #expect(timedOut.status == 124 && timedOut.stderr.contains("killed returncode=-15: ") && timedOut.stderr.contains("timeout"), "\(timedOut)")

        // follow says the end only when it is news, as run does.
        server.waitFor(try server.submitAsync("echo fine"))
        let followed = try ClientProcess.run(["follow", "6"], server: server)
        #expect(followed.status == 0 && followed.stdout == "fine\n" && followed.stderr.isEmpty, "\(followed)")

        // The server's refusals in the client's terms (item 8).
        let merged = try ClientProcess.run(["log", "--stream", "stderr", "4"], server: server)
        #expect(merged.status == 125 && merged.stderr.hasSuffix("leave out --stream\n"), "\(merged)")

        for arguments in [["wait", "--timeout", "1x", "1"], ["add", "--delay", "soon", "--", "true"], ["run", "--retry-delay", "-3", "true"]] {
            let refused = try ClientProcess.run(arguments, server: server)
            #expect(refused.status == 64 && refused.stderr.contains("takes a duration such as 90, 90s, 10m, 1h30m or 2d"), "\(arguments): \(refused)")
        }
    }
}

/// Bash completion asks the server for job ids and group names (issue 28, item 12).
@Suite("Integration: bash completion of ids and groups", .serialized)
struct CompletionIntegrationTests {
    /// What bash's completion offers for `line` (the last word the one being completed).
    private func completions(_ words: [String], server: ServerProcess) throws -> [String] {
        let script = server.directory.file("complete.sh")
        // The command word as typed: here the binary's path (a user's jobsched is on PATH).
        let quoted = ([ServerProcess.binary.path] + words.dropFirst()).map { "'\($0)'" }.joined(separator: " ")
        try """
            source <("\(ServerProcess.binary.path)" completion)
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
            _jobsched
            printf '%s\\n' "${COMPREPLY[@]}"
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let text = try runToEnd("/bin/bash", [script], environment: ["JOBSCHED_URL": ":\(server.port)"]).stdout
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }.sorted()
    }

    @Test func idsOfActiveJobsAndGroupNamesComplete() throws {
        let server = try ServerProcess()
        #expect(server.curl("/pause", data: "group=builds").status == 200)
        let queued = try (0..<3).map { _ in try server.submitAsync("true", extra: "&group=builds") }
        server.waitFor(try server.submitAsync("true", extra: "&group=batch"))
        // Only queued and running jobs: the finished one (4) is not offered.
        #expect(try completions(["jobsched", "kill", ""], server: server) == queued.map(String.init).sorted())
        #expect(try completions(["jobsched", "wait", "1"], server: server) == ["1"])
        #expect(try completions(["jobsched", "resume", "b"], server: server) == ["batch", "builds"])
        #expect(try completions(["jobsched", "add", "-g", "bu"], server: server) == ["builds"])
        #expect(try completions(["jobsched", "kill", "--t"], server: server) == ["--token-file"])
    }
}

/// `ls` in a terminal fits its width; into a pipe, full lines (issue 28, item 5).
@Suite("Integration: ls fits the terminal", .serialized)
struct TerminalWidthIntegrationTests {
    @Test func lsInAnEightyColumnTerminalFitsIt() throws {
        let server = try ServerProcess()
        #expect(server.curl("/pause", data: "group=default").status == 200)
        for i in 1...3 {
            _ = try server.submitAsync("python3 train.py --epochs 100 --learning-rate 0.001 --batch-size \(i * 64) --name a-long-run", extra: "&name=experiment-number-\(i)")
        }
        // A pseudo-terminal of 80 columns, as script(1) gives one.
        let raw = try runToEnd("/usr/bin/script", ["-qec", "stty cols 80; '\(ServerProcess.binary.path)' ls", "/dev/null"],
                               environment: ["JOBSCHED_URL": ":\(server.port)", "TERM": "xterm"]).stdout
        // What shows: without the colour codes and the terminal's carriage returns.
        var shown = raw.replacingOccurrences(of: "\r", with: "")
        while let code = shown.range(of: "\u{1b}\\[[0-9;]*m", options: .regularExpression) { shown.removeSubrange(code) }
        let lines = shown.split(separator: "\n")
        #expect(lines.count == 4 && lines.allSatisfy { $0.count <= 80 }, "\(lines.map(\.count)): \(shown)")
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix("…") && $0.contains(" queued ") }, "\(shown)")
        // Into a pipe: every line whole.
        let piped = try ClientProcess.run(["ls"], server: server)
        #expect(piped.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix("--name a-long-run") }, "\(piped)")
    }
}
