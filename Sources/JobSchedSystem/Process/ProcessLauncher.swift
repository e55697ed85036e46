import CPOSIX
import CLibEvent
import Glibc
import JobSchedModel

/// A started job process (bash, or a command such as srun), leader of its own process group.
package struct LaunchedProcess {
    /// nil when a spawner starts it: its answer (`Spawner.onAnswer`) gives the pid.
    package let pid: pid_t?
    /// Read ends (non-blocking) of the pipes the server reads: the shared pipe
    /// or stdout's own as `stdout`, stderr's own as `stderr`.
    package let stdoutFD: Int32?
    package let stderrFD: Int32?
}

/// Why a job could not be started: becomes the `failed` job's `msg`.
package struct LaunchError: Error, Equatable {
    package let message: String
}

/// Starts `bash -c COMMAND` (or any argument vector) with posix_spawn, in a
/// new process group, with stdin from /dev/null, default signal handling, an
/// empty signal mask and none of the server's descriptors.
package enum ProcessLauncher {
    /// `directory`: the working directory (nil: the server's); `environment`:
    /// `NAME=VALUE` entries added to (or replacing in) the server's environment.
    /// `descriptorLimit`: the server's, whose original soft limit the job gets.
    package static func launch(command: String, directory: String? = nil, environment: [String] = [],
                       stdout: OutputTarget, stderr: OutputTarget, from starter: Starter = .server(.unchanged)) throws(LaunchError) -> LaunchedProcess {
        try launch(arguments: ["bash", "-c", command], executable: "/bin/bash", directory: directory, environment: environment,
                   stdout: stdout, stderr: stderr, from: starter)
    }

    /// Who starts the process: the server itself with posix_spawn (under its
    /// original descriptor limit), or a spawner (its peak memory is then its
    /// own), which answers later with the pid for `tag`.
    package enum Starter {
        case server(DescriptorLimit)
        case spawner(Spawner, tag: Int64)
    }

    /// The same for an argument vector; `executable` (by default `arguments[0]`)
    /// is looked up in PATH unless it holds a `/`.
    /// `base`: the environment `environment` is added to (the server's, or the one a job was submitted with).
    /// `cpuIDs`: the cpus the process and its children are pinned to (none: not pinned).
    /// `cgroup`: the memory cgroup it and its children run in (nil: the server's).
    package static func launch(arguments: [String], executable: String? = nil, directory: String? = nil, environment: [String] = [],
                       base: BaseEnvironment = .server, cpuIDs: [Int] = [], cgroup: JobCgroup? = nil,
                       stdout: OutputTarget, stderr: OutputTarget, from starter: Starter = .server(.unchanged)) throws(LaunchError) -> LaunchedProcess {
        if let directory {
            // Checked here for a clear message; posix_spawn would only say ENOENT.
            var info = stat()
            guard stat(directory, &info) == 0 else {
                throw LaunchError(message: "cannot use cwd \(Excerpt.quoted(directory)): \(errnoText())")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw LaunchError(message: "cannot use cwd \(Excerpt.quoted(directory)): not a directory")
            }
        }
        var opened: [Int32] = []  // our copies, closed once the child has its own
        defer { opened.forEach { close($0) } }

        func open(_ target: OutputTarget, label: String) throws(LaunchError) -> Int32? {
            guard case .file(let path) = target else { return nil }
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw LaunchError(message: "cannot open \(label) \(Excerpt.quoted(path)): \(errnoText())") }
            opened.append(fd)
            return fd
        }
        let outFile = try open(stdout, label: "outlog")
        let errFile = try open(stderr, label: "errlog")

        var readEnds: [Int32] = []  // closed again if the spawn fails
        func makePipe() throws(LaunchError) -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard pipe2(&fds, O_CLOEXEC) == 0 else { throw LaunchError(message: "cannot create pipe: \(errnoText())") }
            // A new pipe's read end has no other status flag to keep.
            _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
            opened.append(fds[1])
            readEnds.append(fds[0])
            return (fds[0], fds[1])
        }
        let shared, outPipe, errPipe: (read: Int32, write: Int32)?
        do {
            shared = stdout == .sharedPipe || stderr == .sharedPipe ? try makePipe() : nil
            outPipe = stdout == .ownPipe ? try makePipe() : shared
            errPipe = stderr == .ownPipe ? try makePipe() : nil
        } catch {
            readEnds.forEach { close($0) }
            throw error
        }
        func source(_ target: OutputTarget, file: Int32?, own: (read: Int32, write: Int32)?) -> Int32? {
            switch target {
            case .discard: return nil
            case .file: return file
            case .sharedPipe: return shared?.write
            case .ownPipe: return own?.write
            }
        }

        let outSource = source(stdout, file: outFile, own: outPipe)
        let errSource = source(stderr, file: errFile, own: errPipe)
        let executable = executable ?? arguments[0]
        let spawned: Spawner.Outcome? = withCStrings(arguments) { argv in
            base.withEnvironment(adding: environment) { envp in
                if case .spawner(let spawner, let tag) = starter,
                   spawner.request(tag: tag, executable: executable, argv: argv, envp: envp, directory: directory,
                                   stdout: outSource, stderr: errSource, cpuIDs: cpuIDs, cgroup: cgroup) {
                    return nil
                }
                let limit = if case .server(let limit) = starter { limit } else { DescriptorLimit.unchanged }
                return joined(cgroup) {
                    pinned(to: cpuIDs) {
                        posixSpawn(executable: executable, argv: argv, envp: envp, directory: directory,
                                   stdout: outSource, stderr: errSource, descriptorLimit: limit)
                    }
                }
            }
        }
        if let spawned, spawned.error != 0 {
            readEnds.forEach { close($0) }
            throw LaunchError(message: failureMessage(spawned, program: arguments[0], directory: directory))
        }
        return LaunchedProcess(pid: spawned?.pid, stdoutFD: outPipe?.read, stderrFD: errPipe?.read)
    }

    /// Runs `spawn` with the server's thread pinned to `cpuIDs` (none: as it
    /// is), so that the process it starts begins with them: glibc's
    /// posix_spawn has no affinity attribute, and pinning the job's pid after
    /// would race with the children it starts. The thread's own comes back after.
    private static func pinned(to cpuIDs: [Int], _ spawn: () -> Spawner.Outcome) -> Spawner.Outcome {
        guard !cpuIDs.isEmpty else { return spawn() }
        let own = CPUAffinity.allowed()
        let error = CPUAffinity.set(cpuIDs)
        guard error == 0 else { return Spawner.Outcome(pid: 0, error: error, stage: .affinity) }
        defer { if !own.isEmpty { _ = CPUAffinity.set(own) } }
        return spawn()
    }

    /// Runs `spawn` with the server in `cgroup` (nil: where it is), so that
    /// the process it starts begins there, as with `pinned(to:)`: posix_spawn
    /// has no such attribute (clone3's CLONE_INTO_CGROUP is v2's only), and
    /// moving the job's pid after would race with the children it starts. The
    /// server goes back to its own cgroup after.
    private static func joined(_ cgroup: JobCgroup?, _ spawn: () -> Spawner.Outcome) -> Spawner.Outcome {
        guard let cgroup else { return spawn() }
        guard joinCgroup(cgroup.processes) else { return Spawner.Outcome(pid: 0, error: errno, stage: .cgroup) }
        defer { _ = joinCgroup(cgroup.serverProcesses) }
        return spawn()
    }

    /// Moves the server into the cgroup of a cgroup.procs file.
    private static func joinCgroup(_ processes: String) -> Bool {
        let fd = open(processes, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return writeAll(Array("0".utf8), to: fd)
    }

    /// Why `program` could not be started, for the `failed` job's `msg`.
    package static func failureMessage(_ outcome: Spawner.Outcome, program: String, directory: String?) -> String {
        let reason = String(cString: strerror(outcome.error))
        switch outcome.stage {
        case .output: return "cannot set up the output of \(program): \(reason)"
        case .directory: return "cannot start in cwd \(Excerpt.quoted(directory ?? "")): \(reason)"
        case .exec, .clone: return "cannot run \(program): \(reason)"
        case .spawnerGone: return "cannot run \(program): the job spawner went before starting it"
        case .affinity: return "cannot pin \(program) to its cpus: \(reason)"
        case .cgroup: return "cannot put \(program) in its memory cgroup: \(reason)"
        case .none:
            // posix_spawn does not say which step failed.
            return directory.map { "cannot start in cwd \(Excerpt.quoted($0)): \(reason)" } ?? "cannot run \(program): \(reason)"
        }
    }

    /// posix_spawn from the server itself: `stdout`/`stderr` (nil: /dev/null)
    /// become 1 and 2, stdin is /dev/null, nothing else of the server's is kept.
    private static func posixSpawn(executable: String, argv: [UnsafeMutablePointer<CChar>?], envp: [UnsafeMutablePointer<CChar>?],
                                   directory: String?, stdout: Int32?, stderr: Int32?,
                                   descriptorLimit: DescriptorLimit) -> Spawner.Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (from, fd) in [(stdout, Int32(1)), (stderr, Int32(2))] {
            // dup2 clears O_CLOEXEC on the copy, so the child keeps it.
            if let from { posix_spawn_file_actions_adddup2(&actions, from, fd) }
        }
        // Stray descriptors the server itself inherited must not reach jobs either.
        // Closed before /dev/null is opened, so that it opens below the job's
        // descriptor limit (lower than the server's) however many the server has.
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (from, fd) in [(stdout, Int32(1)), (stderr, Int32(2))] where from == nil {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_WRONLY, 0)
        }
        if let directory { posix_spawn_file_actions_addchdir_np(&actions, directory) }
        let spawned = spawn(argv, envp: envp, executable: executable, &actions, descriptorLimit: descriptorLimit)
        return Spawner.Outcome(pid: spawned.pid, error: spawned.rc, stage: .none)
    }

    /// Starts one of the server's own helper processes (`arguments[0]` is the
    /// executable) as a job is started, but with the server's stderr, so that
    /// what it has to say lands in the server's log.
    package static func launchHelper(_ arguments: [String]) throws(LaunchError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let spawned = withCStrings(arguments) { argv in
            BaseEnvironment.server.withEnvironment(adding: []) { envp in
                spawn(argv, envp: envp, executable: arguments[0], &actions, descriptorLimit: .unchanged)
            }
        }
        guard spawned.rc == 0 else {
            throw LaunchError(message: "cannot run \(arguments[0]): \(String(cString: strerror(spawned.rc)))")
        }
        return spawned.pid
    }

    /// posix_spawn in a new process group, with an empty signal mask and
    /// default handling of the signals the server catches or ignores.
    private static func spawn(_ argv: [UnsafeMutablePointer<CChar>?], envp: [UnsafeMutablePointer<CChar>?], executable: String,
                              _ actions: inout posix_spawn_file_actions_t, descriptorLimit: DescriptorLimit) -> (rc: Int32, pid: pid_t) {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGCHLD, SIGHUP, SIGQUIT, SIGXFSZ] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var pid: pid_t = 0
        let rc = descriptorLimit.whileSpawning { posix_spawnp(&pid, executable, &actions, &attributes, argv, envp) }
        return (rc, pid)
    }

    /// Calls `body` with a NULL-terminated C array of `strings`.
    private static func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
