import Foundation
import GRDB
import Testing
@testable import Lineage

/// The runner against a real HTTP server on loopback that speaks each API's wire format and
/// misbehaves on purpose.
@Suite struct CollectionRunnerTests {
    static let fastRetries = RetryPolicy(maxAttempts: 5, baseDelay: 0.01, maxDelay: 0.05)
    static let secret = "sk-runner-test-SECRET-4f1c9a7d2b"

    static func probeSet(_ probes: [Probe]) -> ProbeSet {
        ProbeSet(id: "t", version: "1", description: "test", categories: [.init(name: "c", purpose: "p")], probes: probes)
    }

    static func model(_ backend: BackendKind, _ server: ScriptedHTTPServer, maxAttempts: Int = 6,
                      timeout: Double = 0.5) -> ModelConfiguration {
        ModelConfiguration(name: "model-\(backend.rawValue)", backend: backend, endpoint: server.baseURL + "/v1",
                           providerModelID: "provider-x", concurrency: 2, timeoutSeconds: timeout, maxAttempts: maxAttempts)
    }

    static func reply(_ backend: BackendKind, _ text: String) -> String {
        switch backend {
        case .openai: WireReplies.openAI(text)
        case .anthropic: WireReplies.anthropic(text)
        case .gemini: WireReplies.gemini(text)
        }
    }

    static func environment(_ backend: BackendKind) -> [String: String] { [backend.defaultKeyVariable: secret] }

    static func responses(_ store: ResponseStore) throws -> [ResponseRecord] {
        try store.read { db in try ResponseRecord.order(Column("id")).fetchAll(db) }
    }

    static func run(_ plan: CollectionPlan, _ store: ResponseStore, _ backend: BackendKind,
                    notices: NoticeLog = NoticeLog()) async throws -> CollectionSummary {
        let transport = AsyncHTTPTransport()
        do {
            let runner = try CollectionRunner(store: store, plan: plan, environment: environment(backend), transport: transport,
                                              command: "test", retry: fastRetries)
            let summary = try await runner.run { event in
                switch event {
                case .notice(_, let message): notices.append(message)
                case .finished(_, let failure?, _): notices.append(failure)
                default: break
                }
            }
            await transport.shutdown()
            return summary
        } catch {
            await transport.shutdown()
            throw error
        }
    }

    /// 429 with Retry-After, 500, a stalled connection, a malformed body and a truncated body, then
    /// a good answer: each is retried, Retry-After is waited out, and the answer is stored once.
    @Test(arguments: BackendKind.allCases)
    func survivesEveryFault(_ backend: BackendKind) async throws {
        let server = try await ScriptedHTTPServer.start { index, _ in
            switch index {
            case 0: .respond(status: 429, headers: [("Retry-After", "1")], body: #"{"error":"slow down"}"#)
            case 1: .respond(status: 500, body: #"{"error":"oops"}"#)
            case 2: .stall
            case 3: .respond(status: 200, body: "{\"choices\": [ {\"mess")
            case 4: .truncate(body: "{\"choices\":", declaredLength: 400)
            default: .respond(status: 200, body: Self.reply(backend, "Finally, an answer."))
            }
        }
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let plan = CollectionPlan(probeSet: Self.probeSet([Probe(id: "p1", category: "c", turns: ["Who made you?"])]),
                                  models: [Self.model(backend, server)], options: CollectionOptions())
        let notices = NoticeLog()
        let summary = try await Self.run(plan, store, backend, notices: notices)
        await server.stop()

        #expect(summary.succeeded == 1 && summary.failed == 0)
        let received = server.received
        #expect(received.count == 6)
        #expect(received[1].at.timeIntervalSince(received[0].at) >= 0.99, "Retry-After: 1 was not honoured")
        let stored = try Self.responses(store)
        #expect(stored.count == 1)
        #expect(stored[0].status == .ok && stored[0].turns == ["Finally, an answer."])
        #expect(stored[0].completionTokens == 5)
        #expect(stored[0].requestHash == ContentHash.sha256(stored[0].requestBody ?? ""))
        let log = notices.lines.joined(separator: "\n")
        for expected in ["HTTP 429", "HTTP 500", "timeout", "malformed", "connection failed"] {
            #expect(log.contains(expected), "no retry notice for \(expected) in:\n\(log)")
        }
        // Every attempt sent the same body, with the key only in a header.
        #expect(Set(received.map { $0.body }).count == 1)
        #expect(!received[0].body.contains(Self.secret))
    }

    @Test(arguments: BackendKind.allCases)
    func failuresAreStoredThenRetriedByARerun(_ backend: BackendKind) async throws {
        let server = try await ScriptedHTTPServer.start { index, _ in
            index < 2 ? .respond(status: 503, body: "busy") : .respond(status: 200, body: Self.reply(backend, "ok now"))
        }
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let plan = CollectionPlan(probeSet: Self.probeSet([Probe(id: "p1", category: "c", turns: ["Hello"])]),
                                  models: [Self.model(backend, server, maxAttempts: 2)], options: CollectionOptions())
        let first = try await Self.run(plan, store, backend)
        #expect(first.failed == 1 && first.succeeded == 0)
        var stored = try Self.responses(store)
        #expect(stored.count == 1 && stored[0].status == .failed)
        #expect(stored[0].error?.contains("HTTP 503") == true && stored[0].error?.contains("after 2 attempts") == true)

        let second = try await Self.run(plan, store, backend)
        #expect(second.succeeded == 1 && second.alreadyStored == 0)
        let third = try await Self.run(plan, store, backend)
        #expect(third.alreadyStored == 1 && third.succeeded == 0 && third.failed == 0)
        await server.stop()
        #expect(server.received.count == 3, "the third run must ask nothing")
        stored = try Self.responses(store)
        #expect(stored.map(\.status) == [.failed, .ok])
        let runs = try store.read { db in try RunRecord.fetchAll(db) }
        #expect(runs.count == 3 && runs.allSatisfy { $0.probeSetHash == plan.probeSet.contentHash && $0.finishedAt != nil })
    }

    @Test(arguments: BackendKind.allCases)
    func multiTurnProbesCarryTheModelsOwnAnswers(_ backend: BackendKind) async throws {
        let server = try await ScriptedHTTPServer.start { index, _ in .respond(status: 200, body: Self.reply(backend, "answer \(index)")) }
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let probe = Probe(id: "chat", category: "c", system: "Be terse.", turns: ["First?", "Second?"])
        let plan = CollectionPlan(probeSet: Self.probeSet([probe]), models: [Self.model(backend, server)], options: CollectionOptions())
        _ = try await Self.run(plan, store, backend)
        await server.stop()
        let received = server.received
        #expect(received.count == 2)
        #expect(received[1].body.contains("answer 0") && received[1].body.contains("First?"))
        #expect(!received[0].body.contains("answer 0"))
        let stored = try #require(try Self.responses(store).first)
        #expect(stored.turns == ["answer 0", "answer 1"])
        let bodies = try JSONDecoder().decode([String].self, from: Data((stored.requestBody ?? "").utf8))
        #expect(bodies == received.map { $0.body })
    }

    /// A key in the environment reaches the server's headers and nothing else: not the stored
    /// request or reply bodies, not the stored error, not the notices, not any byte of the store.
    @Test(arguments: BackendKind.allCases)
    func keysNeverReachTheStoreOrTheLog(_ backend: BackendKind) async throws {
        let server = try await ScriptedHTTPServer.start { index, request in
            // A careless server that echoes the request's headers in its errors.
            let echoed = request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
            return .respond(status: index == 0 ? 500 : 401, body: "{\"error\": \"\(echoed)\"}")
        }
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let plan = CollectionPlan(probeSet: Self.probeSet([Probe(id: "p1", category: "c", turns: ["Hi"])]),
                                  models: [Self.model(backend, server)], options: CollectionOptions())
        let notices = NoticeLog()
        let summary = try await Self.run(plan, store, backend, notices: notices)
        await server.stop()
        #expect(summary.failed == 1)
        #expect(server.received.count == 2, "401 must not be retried")
        #expect(server.received.allSatisfy { request in request.headers.contains { $0.value.contains(Self.secret) } },
                "the key must reach the server")
        let stored = try #require(try Self.responses(store).first)
        for text in [stored.requestBody, stored.responseBody, stored.error] {
            #expect(text?.contains(Self.secret) != true)
        }
        #expect(stored.error?.contains(SecretRedactor.placeholder) == true)
        #expect(!notices.lines.joined().contains(Self.secret))
        #expect(!notices.lines.isEmpty)
        let configuration = try store.read { db in try String.fetchAll(db, sql: "SELECT configuration FROM run") }
        #expect(!configuration.joined().contains(Self.secret))
        for suffix in ["", "-wal", "-shm"] {
            if let bytes = FileManager.default.contents(atPath: store.path + suffix) {
                #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "key found in \(store.path + suffix)")
            }
        }
    }

    @Test func missingKeyIsAnErrorBeforeAnythingIsSent() async throws {
        let folder = try TemporaryFolder()
        let plan = CollectionPlan(probeSet: Self.probeSet([Probe(id: "p1", category: "c", turns: ["Hi"])]),
                                  models: [ModelConfiguration(name: "claude", backend: .anthropic)], options: CollectionOptions())
        let transport = AsyncHTTPTransport()
        #expect(throws: ModelConfigurationError.self) {
            _ = try CollectionRunner(store: try folder.store(), plan: plan, environment: [:], transport: transport, command: "test")
        }
        await transport.shutdown()
        // A local OpenAI-compatible server needs none.
        #expect(try ModelConfiguration(name: "local", backend: .openai, endpoint: "http://127.0.0.1:8080/v1").apiKey(from: [:]) == nil)
        #expect(throws: ModelConfigurationError.self) { try ModelConfiguration(name: "gpt", backend: .openai).apiKey(from: [:]) }
    }
}

/// Lines collected from concurrent callbacks.
final class NoticeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String] = []
    func append(_ line: String) { lock.lock(); storage.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return storage }
}
