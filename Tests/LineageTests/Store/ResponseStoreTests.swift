import Foundation
import GRDB
import Testing
@testable import Lineage

@Suite struct ResponseStoreTests {
    func insertResponse(_ store: ResponseStore, origin: ResponseRecord.Origin = .collect, status: ResponseRecord.Status = .ok,
                        text: String = "hello", sample: Int = 0) throws -> ResponseRecord {
        try store.write { db in
            var run = RunRecord(kind: .collect, command: "test")
            try run.insert(db)
            let model = try ResponseStore.model(named: "m", backend: "openai", in: db)
            let probe = try ResponseStore.probe(ProbeContent(turns: ["hi"]), in: db)
            let parameters = SamplingParameters(temperature: 0, seed: 1)
            var record = ResponseRecord(
                id: nil, runID: run.id!, modelID: model.id!, probeID: probe.id!, sampleIndex: sample,
                parameters: parameters, parametersKey: parameters.key, origin: origin, status: status,
                turns: status == .ok ? [text] : [], error: status == .ok ? nil : "HTTP 500", finishReason: "stop",
                promptTokens: 3, completionTokens: 1, requestBody: "{}", responseBody: "{}", requestHash: nil,
                responseBodyHash: nil, source: nil, startedAt: Date(), finishedAt: Date(), latencyMilliseconds: 12,
                contentHash: ResponseRecord.computeContentHash(model: "m", probeHash: probe.contentHash, sampleIndex: sample,
                                                               parameters: parameters, status: status,
                                                               turns: status == .ok ? [text] : [], error: status == .ok ? nil : "HTTP 500"),
                createdAt: Date())
            try record.insert(db)
            return record
        }
    }

    @Test func usesWALAndMigrates() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let mode = try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        // Reopening an existing store runs no migration twice.
        _ = try ResponseStore(path: store.path)
    }

    @Test func responsesAreAppendOnly() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let record = try insertResponse(store)
        #expect(throws: DatabaseError.self) {
            try store.write { db in try db.execute(sql: "UPDATE response SET turns = '[\"edited\"]' WHERE id = ?", arguments: [record.id]) }
        }
        #expect(throws: DatabaseError.self) {
            try store.write { db in try db.execute(sql: "DELETE FROM response") }
        }
        #expect(try store.responses().map(\.turns) == [["hello"]])
    }

    @Test func oneSuccessPerUnitButFailuresRepeat() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        _ = try insertResponse(store, status: .failed)
        _ = try insertResponse(store, status: .failed)
        _ = try insertResponse(store)
        // The same unit of work answered again (even differently) is refused.
        #expect(throws: DatabaseError.self) { try insertResponse(store, text: "another answer") }
        let summary = try #require(try store.modelSummaries().first)
        #expect(summary.responses == 1 && summary.failures == 2 && summary.probes == 1)
    }

    @Test func failedWriteLeavesNothing() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.write { db in
                _ = try ResponseStore.model(named: "ghost", backend: "import", in: db)
                throw Abort()
            }
        }
        #expect(try store.modelNames().isEmpty)
    }
}
