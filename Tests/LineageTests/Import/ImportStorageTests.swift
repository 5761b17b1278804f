import Foundation
import GRDB
import Testing
@testable import Lineage

/// What an import stores, checked against the reference hash code (`NaiveContentHash`), and the
/// store-level rules of the bulk import path.
@Suite struct ImportStorageTests {
    struct Record: Encodable {
        struct Message: Encodable { let role: String; let content: String }
        struct Parameters: Encodable {
            let temperature: Double?, top_p: Double?, max_tokens: Int?, seed: Int?
        }
        let model: String
        let probe_id: String
        let probe_set: String?
        let system: String?
        let prompt: String?
        let messages: [Message]?
        let response: String
        let extra_turns: [String]?
        let params: Parameters?
        let sample_index: Int?
    }

    /// A Lineage JSONL file of random records, with unicode, escapes and raw U+2028 in strings.
    static func randomFile(_ rng: inout SeededGenerator, lines: Int) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (0..<lines).map { index in
            func text() -> String { CanonicalJSONTests.randomString(&rng) }
            let useMessages = Bool.random(using: &rng)
            let earlier = (0..<Int.random(in: 0...2, using: &rng)).flatMap { _ in
                [Record.Message(role: "user", content: text()), Record.Message(role: "assistant", content: text())]
            }
            let system = Bool.random(using: &rng) ? text() : nil
            let messages = useMessages
                ? (system.map { [Record.Message(role: "system", content: $0)] } ?? []) + earlier
                    + [Record.Message(role: "user", content: text())]
                : nil
            let parameters = Bool.random(using: &rng) ? nil : Record.Parameters(
                temperature: Bool.random(using: &rng) ? Double(Int.random(in: 0...20, using: &rng)) / 10 : nil,
                top_p: Bool.random(using: &rng) ? Double.random(in: 0...1, using: &rng) : nil,
                max_tokens: Bool.random(using: &rng) ? Int.random(in: 1...4096, using: &rng) : nil,
                seed: Bool.random(using: &rng) ? Int.random(in: -99...99, using: &rng) : nil)
            let record = Record(
                model: ["m/1", "model \"two\"", "ü-3"].randomElement(using: &rng)!, probe_id: "p\(index)",
                probe_set: Bool.random(using: &rng) ? "set/\(text())" : nil,
                system: useMessages ? nil : system, prompt: useMessages ? nil : text(), messages: messages,
                response: text(), extra_turns: Bool.random(using: &rng) ? [text(), text()] : nil,
                params: parameters, sample_index: Bool.random(using: &rng) ? Int.random(in: 0...5, using: &rng) : nil)
            return String(decoding: try! encoder.encode(record), as: UTF8.self)
        }.joined(separator: "\n")
    }

    @Test func storedContentMatchesTheReferenceHashes() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("ImportStorageTests seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        let folder = try TemporaryFolder()
        let text = Self.randomFile(&rng, lines: 300)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let file = try folder.write("random.jsonl", text)
        let store = try folder.store()
        let summary = try TranscriptImporter().importFiles([file], into: store, command: "test")
        #expect(summary.added == lines.count, "seed \(seed)")

        let reader = TranscriptReader()
        let imported = try reader.read(file).responses
        #expect(imported.map(\.raw) == lines, "seed \(seed)")
        let rows = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.*, m.name AS model, p.contentHash AS probeHash, p.turns AS probeTurns
                FROM response r JOIN model m ON m.id = r.modelID JOIN probe p ON p.id = r.probeID ORDER BY r.id
                """).map { row in Dictionary(row.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first }) }
        }
        #expect(rows.count == imported.count)
        for (row, response) in zip(rows, imported) {
            let probeHash = NaiveContentHash.probeHash(response.probe)
            #expect(row["probeHash"] == (probeHash).databaseValue, "seed \(seed)")
            #expect(row["probeTurns"] == (NaiveContentHash.databaseJSON(response.probe.turns)).databaseValue, "seed \(seed)")
            #expect(row["model"] == (response.model).databaseValue, "seed \(seed)")
            let contentHash = NaiveContentHash.responseHash(
                model: response.model, probeHash: probeHash, sampleIndex: response.sampleIndex,
                parameters: response.parameters, status: .ok, turns: response.turns, error: nil)
            #expect(row["contentHash"] == contentHash.databaseValue, "seed \(seed)")
            #expect(row["responseBody"] == (response.raw).databaseValue, "seed \(seed)")
            #expect(row["responseBodyHash"] == (NaiveContentHash.sha256(response.raw)).databaseValue, "seed \(seed)")
            #expect(row["parametersKey"] == (NaiveContentHash.parametersKey(response.parameters)).databaseValue, "seed \(seed)")
            #expect(row["parameters"] == (NaiveContentHash.databaseJSON(response.parameters)).databaseValue, "seed \(seed)")
            #expect(row["turns"] == (NaiveContentHash.databaseJSON(response.turns)).databaseValue, "seed \(seed)")
        }
        let again = try TranscriptImporter().importFiles([file], into: store, command: "test")
        #expect(again.added == 0 && again.alreadyStored == lines.count)
    }

    /// Which answers a store holds is asked in chunks of 500: answers stored before, on both sides of
    /// chunk boundaries and in a short last chunk, are each recognised once, and the rest added.
    @Test func answersStoredBeforeAreRecognisedAcrossChunks() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        func line(_ i: Int) -> String { "{\"model\": \"m\(i % 3)\", \"probe_id\": \"p\(i)\", \"prompt\": \"Q\(i)?\", \"response\": \"A\(i).\"}" }
        // Every third answer of 1,203 is stored first, so stored and new ones alternate in every chunk.
        let first = try folder.write("first.jsonl", stride(from: 0, to: 1203, by: 3).map(line).joined(separator: "\n"))
        #expect(try TranscriptImporter().importFiles([first], into: store, command: "test").added == 401)
        let all = try folder.write("all.jsonl", (0..<1203).map(line).joined(separator: "\n"))
        let summary = try TranscriptImporter().importFiles([all], into: store, command: "test")
        #expect(summary.added == 802 && summary.alreadyStored == 401)
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM response") } == 1203)
        #expect(try TranscriptImporter().importFiles([all], into: store, command: "test").added == 0)
    }

    @Test func probeWithAnotherPromptInTheStoreIsRefused() throws {
        let folder = try TemporaryFolder()
        let first = try folder.write("first.jsonl", #"{"model": "m", "probe_id": "p", "prompt": "one", "response": "x"}"#)
        let second = try folder.write("second.jsonl", """
            {"model": "n", "probe_id": "q", "prompt": "other", "response": "y"}
            {"model": "n", "probe_id": "p", "prompt": "two", "response": "z"}
            """)
        let store = try folder.store()
        _ = try TranscriptImporter().importFiles([first], into: store, command: "test")
        let error = #expect(throws: ImportError.self) {
            try TranscriptImporter().importFiles([second], into: store, command: "test")
        }
        #expect(error?.file == second && error?.line == 2)
        #expect(error?.problem.contains("probe \"p\" of set \"imported\" has another prompt in the store") == true)
        #expect(try store.responses().map(\.model) == ["m"], "the failed import wrote nothing")
        #expect(try store.read { try RunRecord.fetchCount($0) } == 1)
    }

    @Test func probeWithAnotherPromptInAnotherFileOfTheSameImportIsRefused() throws {
        let folder = try TemporaryFolder()
        let first = try folder.write("first.jsonl", #"{"model": "m", "probe_id": "p", "prompt": "one", "response": "x"}"#)
        let second = try folder.write("second.jsonl", "\n" + #"{"model": "n", "probe_id": "p", "prompt": "two", "response": "z"}"#)
        let store = try folder.store()
        let error = #expect(throws: ImportError.self) {
            try TranscriptImporter().importFiles([first, second], into: store, command: "test")
        }
        #expect(error?.file == second && error?.line == 2)
        #expect(try store.responses().isEmpty)
        #expect(try store.read { try RunRecord.fetchCount($0) } == 0)
    }

    @Test func probeIDsAreComparedByTheirBytesAsTheStoreComparesThem() throws {
        // "é" composed and decomposed are equal Swift strings but different keys in SQLite.
        let folder = try TemporaryFolder()
        let first = try folder.write("first.jsonl", #"{"model": "m", "probe_id": "\#u{E9}", "prompt": "one", "response": "x"}"#)
        let second = try folder.write("second.jsonl", #"{"model": "m", "probe_id": "e\#u{301}", "prompt": "two", "response": "y"}"#)
        let store = try folder.store()
        let summary = try TranscriptImporter().importFiles([first, second], into: store, command: "test")
        #expect(summary.added == 2)
        let members = try store.read { try String.fetchAll($0, sql: "SELECT externalID FROM probeSetMember") }
        #expect(Set(members.map { Array($0.utf8) }) == [Array("\u{E9}".utf8), Array("e\u{301}".utf8)])
    }

    @Test func exportWithRawLineSeparatorsReimports() throws {
        // JSONEncoder leaves U+2028, U+2029 and U+0085 raw, so `lineage export` writes them inside lines.
        let folder = try TemporaryFolder()
        let file = try folder.write("own.jsonl",
            #"{"model": "m", "probe_id": "p", "prompt": "a\u2028b", "response": "c\u2029d\u0085e"}"#)
        let first = try folder.store("first.sqlite")
        _ = try TranscriptImporter().importFiles([file], into: first, command: "test")
        let exported = try TranscriptExporter().export(from: first)
        #expect(exported.contains("\u{2029}"))
        let second = try folder.store("second.sqlite")
        let summary = try TranscriptImporter().importFiles([try folder.write("export.jsonl", exported)], into: second, command: "test")
        #expect(summary.added == 1)
        #expect(try second.responses().map(\.contentHash) == first.responses().map(\.contentHash))
        #expect(try second.responses().map(\.turns) == [["c\u{2029}d\u{85}e"]])
    }

    @Test func lineEndingsAndByteOrderMark() throws {
        let folder = try TemporaryFolder()
        let records = (1...3).map { #"{"model": "m", "probe_id": "p\#($0)", "prompt": "q\#($0)\u2028", "response": "a\#($0)"}"# }
        // A byte-order mark, then CRLF, a lone CR, a blank CRLF line and LF; a raw U+2028 inside a string.
        let text = "\u{FEFF}" + records[0] + "\r\n" + records[1] + "\r" + "  \r\n" + records[2] + "\n"
            + #"{"model": "m", "probe_id": "p9", "prompt": "raw"# + "\u{2028}\u{85}" + #"", "response": "b"}"# + "\n"
        let file = try folder.write("endings.jsonl", text)
        let responses = try TranscriptReader().read(file).responses
        #expect(responses.map(\.source) == ["\(file):1", "\(file):2", "\(file):4", "\(file):5"])
        #expect(responses.map(\.raw) == [records[0], records[1], records[2],
                                         #"{"model": "m", "probe_id": "p9", "prompt": "raw"# + "\u{2028}\u{85}" + #"", "response": "b"}"#])
        #expect(responses.last?.probe.turns == ["raw\u{2028}\u{85}"])

        let bad = try folder.write("bad.jsonl", records[0] + "\r\n\r\n" + #"{"model": "m""# + "\r\n")
        let error = #expect(throws: ImportError.self) { try TranscriptReader().read(bad) }
        #expect(error?.line == 3)
    }
}
