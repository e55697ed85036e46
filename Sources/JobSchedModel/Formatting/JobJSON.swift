/// A job as a JSON object, keyed by `JobField` names.
package enum JobJSON {
    package static func object(_ job: Job, fields: [JobField] = JobField.allCases, now: Double) -> JSON {
        .object(fields.map { ($0.rawValue, $0.json(of: job, now: now)) })
    }
}
