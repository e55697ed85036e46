import JobSchedModel

/// The database's schema: made for a new file, and brought up to date one
/// version at a time for a file an older jobsched wrote (`PRAGMA user_version`).
extension JobStore {
    static func prepareSchema(_ db: SQLiteDatabase, path: String) throws -> Void {
        // Checked first: another application's database must be left as it was.
        let appID = try db.scalar("PRAGMA application_id")
        let tables = try db.scalar("SELECT count(*) FROM sqlite_master")
        guard appID == .integer(applicationID) || (appID == .integer(0) && tables == .integer(0)) else {
            throw ServerError("'\(path)' is not a jobsched database")
        }
        if case .integer(let version) = try db.scalar("PRAGMA user_version"), version > schemaVersion {
            throw ServerError("'\(path)' was written by a newer jobsched (schema version above \(schemaVersion))")
        }
        let mode = try db.scalar("PRAGMA journal_mode = WAL")
        guard mode == .text("wal") else {
            throw ServerError("cannot use database '\(path)': WAL journal mode unavailable")
        }
        // A crash loses nothing that was committed; only power loss can lose
        // the last commits, and commits are batched anyway.
        try db.execute("PRAGMA synchronous = NORMAL")
        if appID == .integer(0) && tables == .integer(0) {
            try db.execute("""
                BEGIN;
                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    grp TEXT NOT NULL,
                    command TEXT NOT NULL,
                    status TEXT NOT NULL,
                    returncode INTEGER,
                    sync INTEGER NOT NULL,
                    outlog TEXT,
                    errlog TEXT,
                    msg TEXT NOT NULL DEFAULT '',
                    submitted REAL NOT NULL,
                    started REAL,
                    finished REAL,
                    pid INTEGER
                );
                CREATE INDEX jobs_status ON jobs (status);
                CREATE INDEX jobs_name ON jobs (name);
                CREATE INDEX jobs_grp ON jobs (grp);
                PRAGMA application_id = \(applicationID);
                PRAGMA user_version = 1;
                COMMIT;
                """)
        }
        try migrate(db, path: path)
    }

    /// Brings a schema of an older jobsched up to date, one version at a time.
    private static func migrate(_ db: SQLiteDatabase, path: String) throws {
        guard case .integer(var version) = try db.scalar("PRAGMA user_version") else { return }
        while let upgrade = upgrades[version] {
            try db.execute("BEGIN;\n\(upgrade)\nPRAGMA user_version = \(version + 1);\nCOMMIT;")
            version += 1
        }
    }

    /// The SQL that takes a schema from each version to the next.
    private static let upgrades: [Int64: String] = [
        1: """
            ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN after_ids TEXT NOT NULL DEFAULT '';
            ALTER TABLE jobs ADD COLUMN afterany_ids TEXT NOT NULL DEFAULT '';
            ALTER TABLE jobs ADD COLUMN not_before REAL;
            ALTER TABLE jobs ADD COLUMN timeout REAL;
            ALTER TABLE jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN retry_delay REAL NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN cwd TEXT;
            ALTER TABLE jobs ADD COLUMN env TEXT NOT NULL DEFAULT '';
            -- No longer written: orphans are found by their environment (OrphanedJobs).
            ALTER TABLE jobs ADD COLUMN pid_start INTEGER;
            CREATE TABLE groups (
                name TEXT PRIMARY KEY,
                max_running INTEGER,
                paused INTEGER NOT NULL DEFAULT 0
            );
            """,
        // --keep-finished drops the jobs that finished first. Only finished
        // jobs have a `finished` time, so queued ones cost nothing here.
        2: "CREATE INDEX jobs_finished ON jobs (finished) WHERE finished IS NOT NULL;",
        // A group's /wait reports the group's jobs that ended without
        // success; those are few, so the index holds only them.
        3: "CREATE INDEX jobs_unsucceeded ON jobs (grp) WHERE \(unsucceeded);",
        // --executor slurm: what a job asks of the cluster, and where it is there.
        4: """
            ALTER TABLE jobs ADD COLUMN slurm_options TEXT NOT NULL DEFAULT '';
            ALTER TABLE jobs ADD COLUMN slurm_jobid INTEGER;
            ALTER TABLE jobs ADD COLUMN node TEXT;
            ALTER TABLE jobs ADD COLUMN slurm_state TEXT;
            """,
        // /jobinfo?returncode=nonzero: few jobs, found without reading the others.
        5: "CREATE INDEX jobs_nonzero ON jobs (id) WHERE returncode != 0;",
        // What a job's run cost (wait4's rusage).
        6: """
            ALTER TABLE jobs ADD COLUMN cpu_user REAL;
            ALTER TABLE jobs ADD COLUMN cpu_system REAL;
            ALTER TABLE jobs ADD COLUMN max_rss_kb INTEGER;
            """,
        // The group index also covers the finished counts by group and outcome
        // that a start reads (`countFinished`): one ordered pass, no row read.
        7: "DROP INDEX jobs_grp; CREATE INDEX jobs_grp ON jobs (grp, status, returncode);",
        // The identity the spool is tied to (see `identity`).
        8: """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta (key, value) VALUES ('identity', \(newIdentity));
            """,
        // --executor slurm: why Slurm holds a job (its pending reason).
        9: "ALTER TABLE jobs ADD COLUMN slurm_reason TEXT;",
        // The environment a job was submitted with (`jobsched add` sends its
        // caller's), stored once for the many jobs one shell queues.
        10: """
            CREATE TABLE environments (id INTEGER PRIMARY KEY, entries TEXT NOT NULL UNIQUE);
            ALTER TABLE jobs ADD COLUMN environment INTEGER;
            """,
        // The output of finished jobs that printed little (`CompactOutput`),
        // which goes with its job.
        11: """
            CREATE TABLE outputs (id INTEGER PRIMARY KEY, output BLOB, stdout BLOB, stderr BLOB);
            CREATE TRIGGER jobs_output AFTER DELETE ON jobs BEGIN DELETE FROM outputs WHERE id = old.id; END;
            """,
        // What a job asks of the machine, and which cores and GPUs its run got.
        // Slurm's cpus= and mem= were among its options: they are the job's own now.
        12: """
            ALTER TABLE jobs ADD COLUMN cpus INTEGER NOT NULL DEFAULT 1;
            ALTER TABLE jobs ADD COLUMN mem INTEGER;
            ALTER TABLE jobs ADD COLUMN gpus INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN cpu_ids TEXT;
            ALTER TABLE jobs ADD COLUMN gpu_ids TEXT;
            UPDATE jobs SET cpus = max(1, CAST(\(slurmOption("cpus")) AS INTEGER)) WHERE instr(slurm_options, 'cpus=') > 0;
            UPDATE jobs SET mem = \(slurmMemoryBytes) WHERE instr(slurm_options, 'mem=') > 0;
            """,
        // Who submitted a job: its token's name (`owner=` filters on it).
        13: "ALTER TABLE jobs ADD COLUMN owner TEXT; CREATE INDEX jobs_owner ON jobs (owner) WHERE owner IS NOT NULL;",
        // notify=: the URL a job's (or a group's) end is POSTed to, and the
        // outbox of those notifications (JobStore+Deliveries), written in the
        // transaction that records the end; a job's once. A job's failed one
        // goes with the job; one still to be sent stays.
        14: """
            ALTER TABLE jobs ADD COLUMN notify TEXT;
            ALTER TABLE groups ADD COLUMN notify TEXT;
            CREATE TABLE deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                job INTEGER UNIQUE,
                grp TEXT,
                url TEXT NOT NULL,
                receiver TEXT NOT NULL,
                body BLOB NOT NULL,
                created REAL NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt REAL NOT NULL,
                failed INTEGER NOT NULL DEFAULT 0,
                last_error TEXT
            );
            CREATE INDEX deliveries_waiting ON deliveries (receiver, next_attempt, id) WHERE failed = 0;
            CREATE TRIGGER jobs_delivery AFTER DELETE ON jobs BEGIN DELETE FROM deliveries WHERE job = old.id AND failed = 1; END;
            """,
    ]

    /// The text after `NAME=` in the stored Slurm options (which run on to the next lines;
    /// CAST reads the leading number). No option's value holds `=`, so `NAME=` is its own.
    private static func slurmOption(_ name: String) -> String {
        "substr(slurm_options, instr(slurm_options, '\(name)=') + \(name.count + 1))"
    }

    /// The bytes of the stored Slurm `mem=` (`4G`, `500M`, `2000`: megabytes).
    private static let slurmMemoryBytes: String = {
        let value = slurmOption("mem")
        let number = "CAST(\(value) AS INTEGER)"
        let unit = "upper(substr(\(value), length(CAST(\(number) AS TEXT)) + 1, 1))"
        return "\(number) * CASE \(unit) WHEN 'K' THEN 1024 WHEN 'M' THEN 1048576 WHEN 'G' THEN 1073741824 "
            + "WHEN 'T' THEN 1099511627776 ELSE 1048576 END"
    }()
}
