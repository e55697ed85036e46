import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: JobFilter.whereClause")
struct JobFilterUnitTests {
    private static let statusIn = "status IN (SELECT value FROM json_each(?))"

    @Test func noFilterShowsActiveJobsOnly() {
        let filter = JobFilter()
        #expect(filter.effectiveStatuses == [.queued, .running])
        let clause = filter.whereClause()
        #expect(clause.sql == "WHERE " + Self.statusIn)
        #expect(clause.values == [.text(#"["queued", "running"]"#)])
    }

    @Test(arguments: [
        (JobFilter(ids: [3, 12]), "id", #"[3, 12]"#),
        (JobFilter(names: ["a", "b c"]), "name", #"["a", "b c"]"#),
        (JobFilter(groups: ["g"]), "grp", #"["g"]"#),
        (JobFilter(statuses: [.killed, .failed]), "status", #"["killed", "failed"]"#),
    ])
    func anyListDropsTheImplicitStatus(filter: JobFilter, column: String, json: String) {
        let clause = filter.whereClause()
        #expect(clause.sql == "WHERE \(column) IN (SELECT value FROM json_each(?))")
        #expect(clause.values == [.text(json)])
    }

    @Test func allShowsEveryJob() {
        #expect(JobFilter(all: true).effectiveStatuses == [])
        let clause = JobFilter(all: true).whereClause()
        #expect(clause.sql == "")
        #expect(clause.values == [])
        #expect(JobFilter(statuses: [.success], all: true).whereClause().values == [.text(#"["success"]"#)])
    }

    @Test func everyListCombinesWithAnd() {
        let clause = JobFilter(ids: [1], names: ["n"], groups: ["g"], statuses: [.running]).whereClause()
        #expect(clause.sql == "WHERE id IN (SELECT value FROM json_each(?)) AND name IN (SELECT value FROM json_each(?))"
                + " AND grp IN (SELECT value FROM json_each(?)) AND " + Self.statusIn)
        #expect(clause.values == [.text("[1]"), .text(#"["n"]"#), .text(#"["g"]"#), .text(#"["running"]"#)])
    }

    @Test func valuesAreJSONEscapedNotSpliced() {
        let clause = JobFilter(names: [#"x" OR 1=1 --"#, "a\\b\n", "é"]).whereClause()
        #expect(!clause.sql.contains("OR 1=1"))
        #expect(clause.values == [.text(#"["x\" OR 1=1 --", "a\\b\n", "é"]"#)])
    }
}
