import JobSchedModel

extension Job {
    /// The queued job a submit asks for (its id comes from the store).
    package init(submitting r: SubmitRequest, at submitted: Double) {
        self.init(name: r.name, group: r.group, command: r.command, sync: r.sync,
                  outlog: r.outlog, errlog: r.errlog, submitted: submitted)
        priority = r.priority
        after = r.after
        afterAny = r.afterAny
        notBefore = r.at ?? r.delay.map { submitted + $0 }
        timeout = r.timeout
        retries = r.retries
        retryDelay = r.retryDelay
        cwd = r.cwd
        env = r.env
        resources = r.resources
        slurm = r.slurm
        notify = r.notify?.text
    }
}
