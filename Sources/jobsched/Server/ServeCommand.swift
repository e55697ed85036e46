import ArgumentParser
import JobSchedAPI
import JobSchedDaemon
import JobSchedModel
import JobSchedSystem
import Logging

/// `jobsched` with no subcommand, or `jobsched serve`: the server itself.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the server (what `jobsched` does with no subcommand): run bash command lines sent over HTTP, at most -j at once.",
        discussion: "Talk to it with the client subcommands (jobsched add -- CMD) or with curl, e.g.: curl 127.0.0.1:4321/help")

    /// The server's defaults, declared once in `ServerConfiguration`.
    private static let defaults = ServerConfiguration()

    @Option(name: [.customShort("a"), .customLong("addr")], help: "Address to listen on.")
    var address = defaults.address

    @Option(name: [.short, .long], help: "Port to listen on; 0 picks a free one.")
    var port = defaults.port

    @Option(name: [.customShort("d"), .customLong("dbfile")], help: "SQLite file with the job records; created if missing.")
    var dbfile = defaults.databasePath

    @Option(name: [.customShort("j"), .customLong("jobs")],
            help: "Most jobs running at once (with --executor slurm: handed to Slurm at once); the rest wait in a queue. (default: \(ServerConfiguration.ExecutorKind.local.defaultMaxRunning); with --executor slurm: \(ServerConfiguration.ExecutorKind.slurm.defaultMaxRunning))")
    var jobs: Int?

    @Option(name: .customLong("kill-grace"), help: "Time between SIGTERM and SIGKILL when ending a job's processes: 3, 0.5, 2s, 1m.")
    var killGrace = DurationArgument(seconds: defaults.killGrace)

    @Option(name: .customLong("on-finish"), help: "A bash line run for every job that ends (success, failed, killed), with the job in its environment: JOBSCHED_JOB_ID, _NAME, _GROUP, _STATUS, _RETURNCODE, _RUNTIME, _COMMAND, _MSG, and JOBSCHED_JOB_OUTPUT_TAIL (a file with the end of its output).")
    var onFinish: String?

    @Option(name: .customLong("on-finish-limit"), help: "Most --on-finish hooks running at once; the others wait in order. They do not count against -j.")
    var onFinishLimit = 4

    @Option(name: .customLong("on-finish-timeout"), help: "A hook still running after this is stopped (SIGTERM, SIGKILL after --kill-grace): 60, 2m.")
    var onFinishTimeout = DurationArgument(seconds: 60)

    @Flag(help: "Start with an empty job table (job ids start again from 1).")
    var clear = false

    @Flag(help: "Keep queued jobs across restarts: run the ones a previous run left queued, and leave queued jobs queued at shutdown.")
    var resume = false

    @Option(help: "Directory for the output of jobs that have no outlog/errlog (default: DBFILE.spool).")
    var spool: String?

    @Option(name: .customLong("max-log"), help: "Bytes of output kept per job and stream in the spool (the tail is kept).")
    var maxLog = defaults.maxLogBytes

    @Option(name: .customLong("keep-finished"), help: "Keep at most this many finished jobs; older ones are removed with their output.")
    var keepFinished: Int?
    @Option(name: .customLong("tls-cert"), help: "With --tls-key: the TCP port speaks only TLS (1.2 and 1.3), with this certificate (PEM; a chain works).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The private key (PEM) of --tls-cert.")
    var tlsKey: String?

    @Flag(name: .customLong("tls-self-signed"), help: "TLS with a certificate of the server's own, made on the first start in DBFILE.tls/ and reused after; its SHA-256 fingerprint is logged at start, for clients to pin.")
    var tlsSelfSigned = false

    @Option(name: .customLong("webhook-secret-file"), help: "File holding the secret (surrounding whitespace dropped) that signs each notify= delivery: X-Jobsched-Signature: sha256=HMAC-SHA256(body). Without it deliveries are not signed.")
    var webhookSecretFile: String?

    @Option(name: .customLong("webhook-retry-for"), help: "How long a notify= delivery is retried (connection errors, timeouts, 408, 429, 5xx; backoff 1 s doubling to 10 min) before it is marked failed: 24h, 30m.")
    var webhookRetryFor = DurationArgument(seconds: 86_400)

    @Option(name: .customLong("webhook-limit"), help: "Most notify= deliveries under way at once.")
    var webhookLimit = 16

    @Option(name: .customLong("webhook-allow"), help: "Comma-separated hosts notify= URLs may name; any other is refused (default: any but link-local addresses and this server's own port).")
    var webhookAllow: String?

    @Option(name: .customLong("token-file"), help: "File holding the token that every request must send as 'Authorization: Bearer TOKEN' (or set JOBSCHED_TOKEN).")
    var tokenFile: String?

    @Flag(name: .customLong("insecure-no-auth"), help: "Allow a non-loopback address without a token: anyone who can reach it can run commands as you.")
    var insecureNoAuth = false

    @Option(name: .customLong("socket"), help: "Also listen on this Unix domain socket (mode 0600): curl --unix-socket PATH http://localhost/help")
    var socket: String?

    @Flag(name: .customLong("no-tcp"), help: "Listen only on --socket, not on TCP.")
    var noTCP = false

    @Option(name: .customLong("max-connections"), help: "Most client connections open at once; more wait until one closes.")
    var maxConnections = defaults.maxConnections

    @Option(name: .customLong("max-queued"), help: "Most jobs waiting for a slot; a submit beyond it gets 503 (default: no bound).")
    var maxQueued: Int?

    @Option(name: .customLong("event-history"), help: "Events kept for /events clients that reconnect with Last-Event-ID.")
    var eventHistory = defaults.eventHistory

    @Option(help: "Where jobs run: local (here, with posix_spawn) or slurm (on a Slurm cluster, through sbatch, srun, squeue and scancel).")
    var executor = defaults.executor

    @Option(name: .customLong("slurm-partition"), help: "--executor slurm: the partition of jobs that name none (partition=).")
    var slurmPartition: String?

    @Option(name: .customLong("slurm-account"), help: "--executor slurm: the account every job is charged to.")
    var slurmAccount: String?

    @Option(name: .customLong("slurm-poll"), help: "--executor slurm: time between two squeue calls while jobs are on the cluster: 1, 2s, 1m.")
    var slurmPoll = DurationArgument(seconds: defaults.slurmPollInterval)

    @Option(name: .customLong("slurm-output-dir"), help: "--executor slurm: where async jobs write their output; the nodes must reach it (default: SPOOL/slurm).")
    var slurmOutputDir: String?

    @Option(help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "CPUs to hand out: a job starts once the cpus it asks (cpus=, default 1) are free. Without it, only -j limits how many jobs run.")
    var cpus: Int?

    @Flag(name: .customLong("bind-cpus"), help: "With --cpus: pin each job to cpus of its own (as many as it asks, neighbours where they can be), chosen among the cpus this server may run on.")
    var bindCPUs = false

    @Option(help: "Memory to hand out (500M, 4G, 1T; a bare number is megabytes): a job starts once the mem= it asks is free.")
    var mem: String?

    @Option(help: "GPU ids to hand out, e.g. 0,1,2,3, or auto (the GPUs nvidia-smi lists): each job gets its own (gpus=), in CUDA_VISIBLE_DEVICES; a job that asks none sees none.")
    var gpus: String?

    @Option(name: .customLong("mem-enforcement"), help: "How a job is held to its mem=: cgroup (the kernel keeps it within, in a memory cgroup of its own; the server stops if it cannot make them), sampling (its processes' memory read every second), auto (cgroup where the server can make them).")
    var memEnforcement = MemoryEnforcement.auto

    @Flag(help: "Run in the background, in a session of its own: closing the terminal does not stop it. Logs to DBFILE.log, writes its pid to DBFILE.pid; prints the 'listening on' line, then returns.")
    var detach = false

    func validate() throws {
        guard (jobs ?? 1) >= 1 else { throw ValidationError("-j must be at least 1") }
        if executor != .slurm && (slurmPartition ?? slurmAccount ?? slurmOutputDir) != nil {
            throw ValidationError("--slurm-partition, --slurm-account and --slurm-output-dir need --executor slurm")
        }
        for (flag, value) in [("--slurm-partition", slurmPartition), ("--slurm-account", slurmAccount)] {
            if let value, !SlurmOptions.isName(value) { throw ValidationError("\(flag) must be a Slurm name such as debug, not '\(value)'") }
        }
        guard slurmPoll.seconds >= 0.1 else { throw ValidationError("--slurm-poll must be at least 0.1 s") }
        guard !noTCP || socket != nil else { throw ValidationError("--no-tcp needs --socket PATH") }
        guard webhookLimit >= 1 else { throw ValidationError("--webhook-limit must be at least 1") }
        guard webhookRetryFor.seconds >= 0 else { throw ValidationError("--webhook-retry-for must not be negative") }
        if let webhookAllow, webhookAllow.split(separator: ",").allSatisfy({ $0.allSatisfy(\.isWhitespace) }) {
            throw ValidationError("--webhook-allow needs at least one host")
        }
        guard onFinishLimit >= 1 else { throw ValidationError("--on-finish-limit must be at least 1") }
        guard onFinishTimeout.seconds > 0 else { throw ValidationError("--on-finish-timeout must be more than 0") }
        if let onFinish, onFinish.allSatisfy(\.isWhitespace) { throw ValidationError("--on-finish needs a bash line") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard !tlsSelfSigned || tlsCert == nil else { throw ValidationError("--tls-self-signed makes its own certificate: not with --tls-cert") }
        guard !noTCP || !(tlsSelfSigned || tlsCert != nil) else {
            throw ValidationError("TLS is for the TCP port: not with --no-tcp (the Unix socket stays plain, guarded by its file's permissions)")
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard (maxQueued ?? 0) >= 0 else { throw ValidationError("--max-queued must be at least 0") }
        guard maxLog >= 1024 else { throw ValidationError("--max-log must be at least 1024 bytes") }
        guard (keepFinished ?? 0) >= 0 else { throw ValidationError("--keep-finished must be 0 or more") }
        guard eventHistory >= 1 else { throw ValidationError("--event-history must be at least 1") }
        _ = try resources(detectedGPUs: [])
        guard memEnforcement == .auto || executor == .local else {
            throw ValidationError("--mem-enforcement is for jobs that run here: not with --executor slurm (the cluster holds its jobs to their mem=)")
        }
    }

    /// --cpus, --mem, --gpus, checked; `detectedGPUs` stands for `--gpus auto`.
    private func resources(detectedGPUs: [String]) throws -> ResourceCapacity {
        guard cpus == nil && mem == nil && gpus == nil && !bindCPUs || executor == .local else {
            throw ValidationError("--cpus, --mem, --gpus and --bind-cpus count this machine's resources: not with --executor slurm (the cluster counts its own)")
        }
        if let cpus, !(1...ResourceRequest.maxCPUs).contains(cpus) {
            throw ValidationError("--cpus must be from 1 to \(ResourceRequest.maxCPUs)")
        }
        var cpuIDs: [Int] = []
        if bindCPUs {
            guard let cpus else { throw ValidationError("--bind-cpus needs --cpus N: the cpus to pin jobs to") }
            let allowed = CPUAffinity.allowed()
            guard allowed.count >= cpus else {
                throw ValidationError("--bind-cpus: --cpus \(cpus), but this server may run on \(allowed.count) cpus (\(allowed.map(String.init).joined(separator: ",")))")
            }
            cpuIDs = Array(allowed.prefix(cpus))
        }
        let memory = try mem.map { text in
            guard let size = MemorySize(text) else { throw ValidationError("--mem must be \(MemorySize.syntax), not '\(text)'") }
            return size
        }
        let gpuIDs = try gpus.map { text in
            if text == "auto" { return detectedGPUs }
            guard let ids = GPUList.parse(list: text) else {
                throw ValidationError("--gpus must be GPU ids separated by commas, each once, such as 0,1,2,3; not '\(text)'")
            }
            return ids
        }
        return ResourceCapacity(cpus: cpus, cpuIDs: cpuIDs, mem: memory, gpuIDs: gpuIDs ?? [])
    }

    /// `--gpus auto`: the GPUs `nvidia-smi` lists; none where it is missing or fails (said on stderr).
    private static func detectGPUs() -> [String] {
        let ids = outputAtStartup(of: "nvidia-smi --query-gpu=index --format=csv,noheader").map(GPUList.parse(nvidiaSMIOutput:)) ?? []
        if ids.isEmpty { writeLine("jobsched: --gpus auto: nvidia-smi lists no GPU (or is not installed): none are handed out", to: 2) }
        return ids
    }

    func run() throws {
        // Before anything starts (the spawner, the loop): only the detached child goes on.
        let pidFile = Detachment.PIDFile(path: dbfile + ".pid")
        var detached: Detachment.Server?
        if detach {
            if let running = pidFile.runningServer {
                writeLine("jobsched: error: a detached server already runs for '\(dbfile)': pid \(running.pid), \(running.url) "
                          + "(stop it with jobsched shutdown --url \(running.url))", to: 2)
                throw ExitCode.failure
            }
            do {
                detached = try Detachment.detach(logFile: dbfile + ".log")
            } catch {
                writeLine("jobsched: error: \(error)", to: 2)
                throw ExitCode.failure
            }
        }
        let level = logLevel
        LoggingSystem.bootstrap { _ in StderrLogHandler(level: level) }
        var configuration = ServerConfiguration()
        configuration.address = address
        configuration.port = port
        configuration.databasePath = dbfile
        configuration.maxRunning = jobs ?? executor.defaultMaxRunning
        configuration.executor = executor
        configuration.resources = try resources(detectedGPUs: gpus == "auto" ? Self.detectGPUs() : [])
        configuration.memoryEnforcement = memEnforcement
        configuration.onFinish = onFinish.map { .init(command: $0, limit: onFinishLimit, timeout: onFinishTimeout.seconds) }
        configuration.webhooks.retryFor = webhookRetryFor.seconds
        configuration.webhooks.limit = webhookLimit
        configuration.webhooks.allowedHosts = Set((webhookAllow ?? "").split(separator: ",")
            .map { $0.trimming(\.isWhitespace).lowercased() }.filter { !$0.isEmpty }
            .map { $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 })
        configuration.slurmPartition = slurmPartition
        configuration.slurmAccount = slurmAccount
        configuration.slurmPollInterval = slurmPoll.seconds
        configuration.slurmOutputDirectory = slurmOutputDir
        configuration.killGrace = killGrace.seconds
        configuration.clear = clear
        configuration.resume = resume
        configuration.spoolDirectory = spool
        configuration.maxLogBytes = maxLog
        configuration.keepFinished = keepFinished
        configuration.insecureNoAuth = insecureNoAuth
        configuration.maxQueued = maxQueued
        configuration.maxConnections = maxConnections
        configuration.eventHistory = eventHistory
        configuration.socketPath = socket
        configuration.tcp = !noTCP
        configuration.tls = tlsSelfSigned ? .selfSigned : tlsCert.map { .files(certificate: $0, key: tlsKey ?? "") }
        // This very binary, even if the file has been replaced since it started.
        configuration.checkpointCommand = ["/proc/self/exe", WALCheckpointCommand.configuration.commandName!]

        let server: JobSchedServer
        do {
            configuration.tokens = try loadTokens(file: tokenFile)
            configuration.webhooks.secret = try webhookSecretFile.map(loadWebhookSecret)
            server = try JobSchedServer(configuration: configuration, logger: Logger(label: "jobsched"))
        } catch {
            writeLine("jobsched: error: \(error)", to: 2)
            throw ExitCode.failure
        }
        // Scripts and tests read the real port from this line.
        let listening = "listening on \(server.url)"
        guard let detached else {
            writeLine(listening, to: 1)
            return server.run()
        }
        do {
            try pidFile.write(url: server.url)
        } catch {
            writeLine("jobsched: error: \(error)", to: 2)
            throw ExitCode.failure
        }
        detached.announce(listening)
        server.run()
        pidFile.remove()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension ServerConfiguration.ExecutorKind: ExpressibleByArgument {}
extension MemoryEnforcement: ExpressibleByArgument {}
