import JobSchedAPI
import JobSchedModel
import JobSchedRunner
import JobSchedSystem

extension RequestHandlers {
    /// Reads every line, then records every line's job, all or none, then
    /// queues them and replies with their ids, in order; a step at a time in
    /// the server's turns (`BatchAdmission`), so that a batch of 100,000 lines
    /// (which held every client for a second) holds none. Every line is
    /// validated before any job exists.
    package func batchSubmit(_ r: BatchSubmitRequest, _ request: HTTPRequest, by caller: NamedToken?) throws(RequestError) {
        guard r.template.environment.isEmpty else {
            throw .badRequest("environment= is for one job, not a batch: give env=NAME=VALUE for what the batch's jobs add")
        }
        try checkDependenciesExist(r.template.after + r.template.afterAny)
        try checkNotify(r.template.notify)
        var template = Job(submitting: r.template, at: Clock.now())
        template.owner = caller?.name
        try checkRoom(for: [template], count: r.lines.commands.count)
        let admission = BatchAdmission(handlers: self, request: request, format: r.template.format,
                                       template: template, lines: r.lines)
        batchesInFlight[ObjectIdentifier(admission)] = admission
        admission.begin()
    }

    /// A shutdown ends the batches under way: one still being written is
    /// taken back whole (503), one being queued is answered with its ids (its
    /// jobs are recorded, and the shutdown ends or keeps them as any queued job).
    package func endBatchesInFlight() {
        batchesInFlight.values.forEach { $0.end() }
    }
}

/// One batch submit on its way through four stages, each a step at a time in
/// the server's turns: its lines are read (a bad one refuses the batch before
/// anything is written), its rows are written with commits held (so that the
/// batch commits whole, or not at all), the transaction commits, its jobs
/// are queued, then the reply. Meanwhile other clients are served, but
/// replies that wait for a commit wait for the batch's (less than a second
/// for 100,000 lines); its rows show in listings as queued from the first step.
final class BatchAdmission {
    /// A step's lines read: about a millisecond.
    static let linesPerStep = 8192
    /// A step's rows: about a millisecond of inserts.
    static let rowsPerStep = 512
    /// A step's jobs queued: about a millisecond (the runner's books, events, log lines).
    static let jobsPerStep = 256

    private enum Stage { case reading, writing, committing, queueing, done }

    private unowned let handlers: RequestHandlers
    private let request: HTTPRequest
    private let format: OutputFormat
    private let template: Job
    private var lines: CommandLines
    private var commands: [String] { lines.commands }
    private var jobs: [Job] = []
    private var queued = 0
    private var stage = Stage.reading

    init(handlers: RequestHandlers, request: HTTPRequest, format: OutputFormat, template: Job, lines: CommandLines) {
        (self.handlers, self.request, self.format, self.template, self.lines) = (handlers, request, format, template, lines)
    }

    /// The steps and the commit's callback hold the batch until they have run:
    /// a batch the shutdown ended still has a step queued, which finds it done.
    func begin() {
        handlers.turns.add { [self] in readStep() }
    }

    /// Reads the next lines; once all are, and the queue has room for them, writing begins.
    private func readStep() -> Bool {
        guard stage == .reading else { return false }
        do throws(RequestError) {
            try lines.read(upTo: BatchAdmission.linesPerStep)
            guard lines.isComplete else { return true }
            try handlers.checkRoom(for: [template], count: commands.count)
        } catch {
            fail(error)
            return false
        }
        stage = .writing
        jobs.reserveCapacity(commands.count)
        handlers.uncommittedSubmits += commands.count
        handlers.commits.holdCommits()
        // The next commit is the batch's own, once it is written: commits are
        // held until then. Before, only a rollback ends the transaction (this
        // batch's, or another one's that it shares), and the batch with it.
        handlers.commits.afterNextCommit { [self] result in committed(result) }
        handlers.turns.add { [self] in writeStep() }
        return false
    }

    /// Writes the next rows; once all are written, lets the transaction commit.
    private func writeStep() -> Bool {
        guard stage == .writing else { return false }
        let end = min(jobs.count + BatchAdmission.rowsPerStep, commands.count)
        do throws(SQLiteError) {
            for command in commands[jobs.count..<end] {
                var job = template
                job.command = command
                job.id = try handlers.store.insert(job)
                jobs.append(job)
            }
        } catch {
            takeBack(error, RequestHandlers.databaseError(error))
            return false
        }
        guard jobs.count == commands.count else { return true }
        stage = .committing
        handlers.commits.releaseCommits()
        return false
    }

    private func committed(_ result: Result<Void, SQLiteError>) {
        switch (stage, result) {
        case (.done, _), (.queueing, _):
            return
        case (.writing, .failure(let error)):
            // Another batch's rollback took this one's rows too.
            handlers.commits.releaseCommits()
            handlers.uncommittedSubmits -= commands.count
            fail(RequestHandlers.databaseError(error))
        case (_, .failure(let error)):
            handlers.uncommittedSubmits -= commands.count
            fail(RequestHandlers.databaseError(error))
        case (_, .success):
            handlers.uncommittedSubmits -= commands.count
            handlers.metrics.jobsSubmitted(jobs.count)
            // Recorded during a shutdown: it ends (or keeps) them as any queued job.
            if handlers.runner.isShuttingDown { return reply() }
            stage = .queueing
            handlers.turns.add { [self] in queueStep() }
        }
    }

    /// Queues the next jobs (they may start at once); after the last, the reply.
    private func queueStep() -> Bool {
        guard stage == .queueing else { return false }
        let end = min(queued + BatchAdmission.jobsPerStep, jobs.count)
        for job in jobs[queued..<end] { handlers.runner.enqueue(job, syncClient: nil) }
        queued = end
        handlers.runner.startAdmittedJobsAfterReplies()
        guard queued == jobs.count else { return true }
        reply()
        return false
    }

    private static let shuttingDown = RequestError(status: 503, message: "the server is shutting down; no job of the batch was recorded")

    /// The shutdown is beginning: see `RequestHandlers.endBatchesInFlight`.
    /// A batch about to commit replies once it has (`committed`).
    func end() {
        switch stage {
        case .reading:
            fail(BatchAdmission.shuttingDown)
        case .writing:
            takeBack(.abandoned("the server is shutting down"), BatchAdmission.shuttingDown)
        case .queueing:
            // The jobs not yet queued are in the store as queued: the
            // shutdown's statement ends them (or --resume keeps them) with the others.
            reply()
        case .committing, .done:
            break
        }
    }

    /// Rolls back the transaction the batch was written into, with whatever
    /// else it held (whose replies get the failure, as after a refused commit).
    private func takeBack(_ cause: SQLiteError, _ error: RequestError) {
        stage = .done
        handlers.uncommittedSubmits -= commands.count
        handlers.commits.releaseCommits()
        handlers.commits.abandon(cause)
        fail(error)
    }

    private func fail(_ error: RequestError) {
        stage = .done
        handlers.batchesInFlight[ObjectIdentifier(self)] = nil
        handlers.respond(request, error: error, format: format)
    }

    private func reply() {
        stage = .done
        handlers.batchesInFlight[ObjectIdentifier(self)] = nil
        let ids = jobs.map(\.id)
        handlers.respond(request, format: format, text: { IDListText.lines(ids) },
                         json: { .object([("jobids", .array(ids.map { .int($0) }))]) })
    }
}
