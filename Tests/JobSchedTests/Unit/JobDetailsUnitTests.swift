import Testing
@testable import JobSchedModel

/// A job's fields that scheduling does not read are held apart and shared
/// between copies: a copy changes only its own, and equality is by value.
@Suite("Unit: a job's shared details")
struct JobDetailsUnitTests {
    @Test func copiesShareDetailsUntilOneChangesItsOwn() {
        var template = Job(name: "n", group: "g", command: "c", sync: false, submitted: 1)
        template.cwd = "/tmp"
        template.env = ["A=1"]
        template.after = [3]
        template.notBefore = 5
        var copy = template
        copy.command = "d"
        #expect(copy.cwd == "/tmp" && copy.env == ["A=1"] && copy.after == [3] && copy.notBefore == 5)
        copy.pid = 42
        copy.after.append(4)
        #expect(template.pid == nil && template.after == [3])
        #expect(copy.pid == 42 && copy.after == [3, 4])
        #expect(copy != template)
        var back = copy
        back.pid = nil
        back.after = [3]
        back.command = "c"
        #expect(back == template)
    }

    @Test func theInitializerKeepsEveryFieldItIsGiven() {
        let plain = Job(name: "n", group: "g", command: "c", sync: true, submitted: 1)
        #expect(plain.returncode == nil && plain.msg == "" && plain.started == nil && plain.outlog == nil)
        let ended = Job(id: 7, name: "n", group: "g", command: "c", status: .success, returncode: 3, sync: false,
                        outlog: "o", errlog: "e", msg: "m", submitted: 1, started: 2, finished: 3, pid: 9)
        #expect(ended.returncode == 3 && ended.outlog == "o" && ended.errlog == "e" && ended.msg == "m")
        #expect(ended.started == 2 && ended.finished == 3 && ended.pid == 9 && ended.status == .success)
        #expect(plain == Job(name: "n", group: "g", command: "c", sync: true, submitted: 1))
    }
}
