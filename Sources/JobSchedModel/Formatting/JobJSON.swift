/// A job as a JSON object, keyed by `JobField` names.
package enum JobJSON {
    /// `unsaved`: the job's state is the latest but the database refused it
    /// (a failing disk), marked `"saved": false` until a commit keeps it.
    package static func object(_ job: Job, fields: [JobField] = JobField.everyListedField, now: Double, unsaved: Bool = false) -> JSON {
        .object(fields.map { ($0.rawValue, $0.json(of: job, now: now)) } + (unsaved ? [("saved", .bool(false))] : []))
    }
}
