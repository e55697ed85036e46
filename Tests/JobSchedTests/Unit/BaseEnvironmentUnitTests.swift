import Testing
@testable import JobSchedAPI
@testable import JobSchedDaemon
@testable import JobSchedModel
@testable import JobSchedSystem

@Suite("Unit: a job's environment")
struct BaseEnvironmentUnitTests {
    @Test(arguments: [
        // base, extra → merged
        (["A=1", "B=2"], [], ["A=1", "B=2"]),
        ([], ["A=1"], ["A=1"]),
        (["A=1", "B=2", "C=3"], ["B=9"], ["A=1", "C=3", "B=9"]),
        (["A=1", "B=2", "C=3"], ["D=4"], ["A=1", "B=2", "C=3", "D=4"]),
        (["A=1", "B=2", "C=3"], ["C=x", "A=y", "E=z"], ["B=2", "C=x", "A=y", "E=z"]),
        // Names match exactly, not by prefix or case.
        (["AB=1", "A=2", "a=3"], ["A=9"], ["AB=1", "a=3", "A=9"]),
        // The name ends at the first `=`; the value may hold more.
        (["A=x=y", "B=1"], ["A=z"], ["B=1", "A=z"]),
        (["A=1"], ["A=b=c"], ["A=b=c"]),
        // Every base entry of a replaced name goes.
        (["A=1", "B=2", "A=3"], ["A=4"], ["B=2", "A=4"]),
        // An empty value still replaces.
        (["HOME=/root", "PATH=/bin"], ["HOME="], ["PATH=/bin", "HOME="]),
        // A base entry without `=` counts its whole text as the name.
        (["WEIRD", "A=1"], ["WEIRD=1"], ["A=1", "WEIRD=1"]),
        (["WEIRD", "A=1"], ["B=1"], ["WEIRD", "A=1", "B=1"]),
    ] as [([String], [String], [String])])
    func merge(base: [String], extra: [String], merged: [String]) {
        #expect(BaseEnvironment(entries: base).entries(adding: extra) == merged)
    }

    @Test func extraEntriesKeepTheirOrderAndRepeats() {
        // Repeated names in `extra` are all kept, in order (the submit request keeps them so).
        #expect(BaseEnvironment(entries: ["A=0", "B=0"]).entries(adding: ["A=1", "A=2"]) == ["B=0", "A=1", "A=2"])
    }
}
