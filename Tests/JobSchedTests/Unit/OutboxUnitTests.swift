import Foundation
import Testing
@testable import JobSchedModel
@testable import JobSchedSystem

/// The webhook outbox in a real SQLite file: a delivery is written with the
/// job's end, in its transaction, once per job, and offered for sending only
/// once committed.
@Suite("Unit: the webhook outbox")
final class OutboxUnitTests {
    private let scratch: ScratchDirectory
    private var path: String { scratch.databasePath }

    init() throws { scratch = try ScratchDirectory() }

    private func open() throws -> JobStore { try openJobStore(path) }

    private static let receiver = "http://127.0.0.1:9000"

    private static func notifying(_ store: JobStore, _ path: String = "/hook") throws -> Job {
        var job = Job(name: "n", group: "g", command: "true", sync: false, submitted: 100)
        job.notify = receiver + path
        job.id = try store.insert(job)
        try store.commit()
        return job
    }

    private static func ended(_ job: Job, at time: Double = 200) -> Job {
        var job = job
        (job.status, job.returncode, job.started, job.finished) = (.success, 0, 150, time)
        return job
    }

    @Test func aJobsEndBringsItsDeliveryInTheSameCommitAndOnce() throws {
        let store = try open()
        let job = try Self.notifying(store)
        #expect(try store.deliveries(to: Self.receiver, limit: 10).isEmpty)
        try store.update(Self.ended(job))
        // Not offered before the commit that holds the job's end, but shown pending.
        #expect(try store.job(job.id)?.delivery == DeliveryState(status: .pending))
        #expect(try store.deliveries(to: Self.receiver, limit: 10).isEmpty)
        try store.commit()
        let due = try store.deliveries(to: Self.receiver, limit: 10)
        #expect(due.count == 1 && due[0].job == job.id && due[0].url == Self.receiver + "/hook" && due[0].attempts == 0)
        #expect(due[0].created == 200 && due[0].due == 200 && due[0].receiver == Self.receiver)
        let body = try #require(JSONSerialization.jsonObject(with: Data(due[0].body)) as? [String: Any])
        #expect((body["job"] as? [String: Any])?["status"] as? String == "success")
        #expect(store.takeReceiversAdded() == [Self.receiver] && store.takeReceiversAdded().isEmpty)
        // Its state written again (a later save) adds none.
        try store.update(Self.ended(job, at: 300))
        try store.commit()
        #expect(try store.deliveries(to: Self.receiver, limit: 10).map(\.id) == [due[0].id])
        // Retried, then delivered: its row goes, and the job reads delivered.
        try store.deliveryAttempted(due[0].id, attempts: 1, error: "HTTP 500", next: 500)
        #expect(try store.job(job.id)?.delivery == DeliveryState(status: .pending, attempts: 1, lastError: "HTTP 500"))
        #expect(try store.deliveries(to: Self.receiver, limit: 10).first?.due == 500)
        try store.deliveryDelivered(due[0].id)
        try store.commit()
        #expect(try store.job(job.id)?.delivery == DeliveryState(status: .delivered))
        #expect(try store.deliveries(to: Self.receiver, limit: 10).isEmpty)
    }

    @Test func aRolledBackEndTakesItsDeliveryBackAndWritesItAgain() throws {
        let store = try open()
        let job = try Self.notifying(store)
        try store.update(Self.ended(job))
        try store.writePendingStates()
        #expect(store.committedDeliveryID == 0)
        store.rollback()
        #expect(try JobSchedTests.sqlite3(path, "SELECT count(*) FROM deliveries") == "0\n")
        // The state stays pending and brings its delivery with it at the next commit.
        try store.retryPendingStates()
        try store.commit()
        #expect(try store.deliveries(to: Self.receiver, limit: 10).map(\.job) == [job.id])
        #expect(store.committedDeliveryID == 1)
    }

    @Test func bulkKillsBringTheirDeliveries() throws {
        let store = try open()
        let queued = try Self.notifying(store, "/queued")
        let running = try Self.notifying(store, "/running")
        _ = try store.insert(Job(name: "quiet", group: "g", command: "true", sync: false, submitted: 100))
        var started = running
        (started.status, started.started) = (.running, 150)
        try store.update(started)
        try store.commit()
        #expect(try store.killInterrupted([.running], msg: "server restarted", at: 400) == 1)
        #expect(try store.killQueued(after: 0, limit: 10, msg: "server shut down", at: 500).count == 2)
        try store.commit()
        let due = try store.deliveries(to: Self.receiver, limit: 10)
        #expect(due.map(\.url) == [Self.receiver + "/running", Self.receiver + "/queued"])
        let bodies = due.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any])?["job"] as? [String: Any] }
        #expect(bodies.map { $0["status"] as? String } == ["killed", "killed"])
        #expect(bodies.map { $0["msg"] as? String } == ["server restarted", "server shut down"])
        #expect(try store.receiversWaiting() == [Self.receiver])
        #expect(queued.id != running.id)
    }

    @Test func aGroupsDeliveriesAreEachTheirOwnAndFailedOnesGoWithTheirJob() throws {
        let store = try open()
        try store.addGroupDelivery(url: "https://hooks.example.org/g", group: "g", body: Array("{}".utf8), at: 10)
        try store.addGroupDelivery(url: "https://hooks.example.org/g", group: "g", body: Array("{}".utf8), at: 20)
        try store.commit()
        #expect(try store.deliveries(to: "https://hooks.example.org:443", limit: 10).map(\.created) == [10, 20])
        let job = try Self.notifying(store)
        try store.update(Self.ended(job))
        try store.commit()
        let id = try #require(try store.deliveries(to: Self.receiver, limit: 1).first?.id)
        try store.deliveryAttempted(id, attempts: 1, error: "HTTP 404, not retried", next: nil)
        try store.commit()
        #expect(try store.job(job.id)?.delivery == DeliveryState(status: .failed, attempts: 1, lastError: "HTTP 404, not retried"))
        #expect(try store.deliveries(to: Self.receiver, limit: 10).isEmpty)
        _ = try store.deleteFinished(ids: [job.id])
        try store.commit()
        #expect(try JobSchedTests.sqlite3(path, "SELECT count(*) FROM deliveries WHERE job IS NOT NULL") == "0\n")
    }
}
