import Foundation
import GRDB
import Testing
@testable import Lineage

/// The prepared-statement insert against GRDB's Codable insert it replaces for imports: the same
/// records must give the same rows, column for column.
@Suite struct ResponseInserterTests {
    @Test func storesWhatTheCodableRecordStores() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("ResponseInserterTests seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        let folder = try TemporaryFolder()
        let fast = try folder.store("fast.sqlite")
        let codable = try folder.store("codable.sqlite")
        let now = Date()
        let records: [ResponseRecord] = (0..<300).map { index in
            func maybe<T>(_ value: T) -> T? { Bool.random(using: &rng) ? value : nil }
            let parameters = CanonicalJSONTests.randomParameters(&rng)
            let turns = CanonicalJSONTests.randomTurns(&rng)
            let ok = Bool.random(using: &rng)
            let raw = CanonicalJSONTests.randomString(&rng)
            return ResponseRecord(
                id: nil, runID: 1, modelID: 1, probeID: 1, sampleIndex: index,
                parameters: parameters, parametersKey: parameters.key, origin: Bool.random(using: &rng) ? .import : .collect,
                status: ok ? .ok : .failed, turns: turns, error: ok ? nil : CanonicalJSONTests.randomString(&rng),
                finishReason: maybe("stop"), promptTokens: maybe(Int.random(in: 0...9999, using: &rng)),
                completionTokens: maybe(Int.random(in: 0...9999, using: &rng)),
                requestBody: maybe(CanonicalJSONTests.randomString(&rng)), responseBody: maybe(raw),
                requestHash: maybe(ContentHash.sha256("request")), responseBodyHash: maybe(ContentHash.sha256(raw)),
                source: maybe("file.jsonl:\(index)"),
                startedAt: maybe(now.addingTimeInterval(Double.random(in: -1e6...0, using: &rng))),
                finishedAt: maybe(now), latencyMilliseconds: maybe(Double.random(in: 0...1e5, using: &rng)),
                contentHash: ContentHash.sha256("response \(index)"),
                createdAt: index % 3 == 0 ? now : now.addingTimeInterval(Double(index) * 0.0137))
        }
        for store in [fast, codable] {
            try store.write { db in
                var run = RunRecord(kind: .import, command: "test")
                try run.insert(db)
                _ = try ResponseStore.model(named: "m", backend: "import", in: db)
                _ = try ResponseStore.probe(ProbeContent(turns: ["p"]), in: db)
            }
        }
        let fastIDs = try fast.write { db in
            var inserter = ResponseInserter(db)
            return try records.map { try inserter.insert($0) }
        }
        let codableIDs = try codable.write { db in
            try records.map { record -> Int64 in
                var record = record
                try record.insert(db)
                return record.id!
            }
        }
        #expect(fastIDs == codableIDs)
        let sql = "SELECT * FROM response ORDER BY id"
        let fastRows = try fast.read { try Row.fetchAll($0, sql: sql).map { Array($0.databaseValues) } }
        let codableRows = try codable.read { try Row.fetchAll($0, sql: sql).map { Array($0.databaseValues) } }
        #expect(fastRows.count == records.count)
        for (fastRow, codableRow) in zip(fastRows, codableRows) {
            #expect(fastRow == codableRow, "seed \(seed)")
        }
    }
}
