import Foundation
import GRDB
import Testing
@testable import Lineage

/// Two writers at once: the second waits, says who holds the store, and gives up only after its
/// timeout with a message that names the holder and the fix (not SQLite's "database is locked").
@Suite(.serialized) struct StoreBusyTests {
    /// Holds the store's write lock for `seconds` on another thread; returns when the lock is taken.
    static func hold(_ store: ResponseStore, for seconds: Double) -> Thread {
        let taken = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? store.write { db in
                _ = try ResponseStore.model(named: "holder-\(UUID().uuidString)", backend: "import", in: db)
                taken.signal()
                Thread.sleep(forTimeInterval: seconds)
            }
        }
        thread.start()
        taken.wait()
        return thread
    }

    @Test func aSecondWriterWaitsAndSaysWhoHoldsTheStore() throws {
        let folder = try TemporaryFolder()
        let holder = try folder.store()
        let notices = NoticeLog()
        let waiter = try ResponseStore(path: holder.path, busyTimeout: 30, busyNoticeAfter: 0.2) { notices.append($0) }
        _ = Self.hold(holder, for: 1.0)
        let started = Date()
        try waiter.write { db in _ = try ResponseStore.model(named: "waiter", backend: "import", in: db) }
        #expect(Date().timeIntervalSince(started) >= 0.7, "it waited for the holder")
        #expect(notices.lines.count == 1, "\(notices.lines)")
        #expect(notices.lines.first?.contains("is busy: pid \(getpid())") == true, "\(notices.lines)")
        #expect(try waiter.modelNames().contains("waiter"))
    }

    @Test func aWriterThatWaitsTooLongFailsNamingTheHolderAndTheFix() throws {
        let folder = try TemporaryFolder()
        let holder = try folder.store()
        let waiter = try ResponseStore(path: holder.path, busyTimeout: 0.4, busyNoticeAfter: 10)
        _ = try holder.modelNames()
        _ = Self.hold(holder, for: 1.5)
        let error = #expect(throws: StoreBusyError.self) {
            try waiter.write { db in _ = try ResponseStore.model(named: "late", backend: "import", in: db) }
        }
        #expect(error?.description.contains("pid \(getpid())") == true)
        #expect(error?.description.contains("fix: run the command again") == true)
        #expect(error?.description.contains("database is locked") == false)
        Thread.sleep(forTimeInterval: 1.3)
        #expect(try !waiter.modelNames().contains("late"), "nothing was written")
    }

    @Test func aWriterLeavesItsNameWhileOpenAndTakesItAway() throws {
        let folder = try TemporaryFolder()
        var store: ResponseStore? = try folder.store()
        try store!.write { db in _ = try ResponseStore.model(named: "m", backend: "import", in: db) }
        let writers = StoreWriters(storePath: store!.path).folder
        #expect(try FileManager.default.contentsOfDirectory(atPath: writers).count == 1)
        store = nil
        #expect(!FileManager.default.fileExists(atPath: writers))
    }

    /// `lineage run` keeps an answer it cannot commit while another process holds the store, and
    /// commits it later instead of stopping or losing it.
    @Test func aRunKeepsAnswersItCannotCommitYet() async throws {
        let folder = try TemporaryFolder()
        let holder = try folder.store()
        let runnerStore = try ResponseStore(path: holder.path, busyTimeout: 0.3, busyNoticeAfter: 10)
        let server = try await ScriptedHTTPServer.start { index, _ in
            if index == 0 { _ = StoreBusyTests.hold(holder, for: 1.0) }
            if index == 1 { Thread.sleep(forTimeInterval: 1.5) }
            return .respond(status: 200, body: WireReplies.openAI("answer \(index)"))
        }
        let model = ModelConfiguration(name: "m", backend: .openai, endpoint: server.baseURL + "/v1", concurrency: 1, timeoutSeconds: 5)
        let plan = CollectionPlan(probeSet: CollectionRunnerTests.probeSet([Probe(id: "p1", category: "c", turns: ["One?"]),
                                                                           Probe(id: "p2", category: "c", turns: ["Two?"])]),
                                  models: [model], options: CollectionOptions())
        let transport = AsyncHTTPTransport()
        let notices = NoticeLog()
        let runner = try CollectionRunner(store: runnerStore, plan: plan, environment: [:], transport: transport, command: "test")
        let summary = try await runner.run { event in
            if case .notice(_, let message) = event { notices.append(message) }
        }
        await transport.shutdown()
        await server.stop()
        #expect(summary.succeeded == 2 && summary.failed == 0, "\(summary)")
        #expect(notices.lines.contains { $0.contains("kept in memory") }, "\(notices.lines)")
        #expect(try runnerStore.responses().count == 2)
    }
}
