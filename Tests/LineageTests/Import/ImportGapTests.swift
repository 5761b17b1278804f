import Foundation
import GRDB
import Testing
@testable import Lineage

/// Import input that issue 12 found accepted or answered obscurely: each is refused with the
/// file, the line and a fix, and stores nothing.
@Suite struct ImportGapTests {
    func failure(_ path: String, store: ResponseStore, sourceLocation: SourceLocation = #_sourceLocation) -> ImportError? {
        let error = #expect(throws: ImportError.self, sourceLocation: sourceLocation) {
            try TranscriptImporter().importFiles([path], into: store, command: "test")
        }
        #expect(error?.fix != nil, sourceLocation: sourceLocation)
        #expect((try? store.responses().isEmpty) == true, "a failed import writes nothing", sourceLocation: sourceLocation)
        return error
    }

    static let good = #"{"model": "m", "probe_id": "p1", "prompt": "a", "response": "b"}"#

    @Test func aNegativeSampleIndexIsRefused() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("neg.jsonl", Self.good + "\n" + #"{"model": "m", "probe_id": "p2", "prompt": "c", "response": "d", "sample_index": -3}"# + "\n")
        let error = failure(file, store: try folder.store())
        #expect(error?.line == 2)
        #expect(error?.problem.contains("\"sample_index\" is -3") == true)
        #expect(error?.fix?.contains("count from 0") == true)
    }

    @Test(arguments: ["true", "false", "1.5", "[1]"])
    func aProbeIdThatIsNotAStringOrAWholeNumberIsRefused(_ value: String) throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("id.jsonl", #"{"model": "m", "probe_id": \#(value), "prompt": "a", "response": "b"}"# + "\n")
        let error = failure(file, store: try folder.store())
        #expect(error?.line == 1)
        #expect(error?.problem.contains("\"probe_id\" is not a string") == true, "\(String(describing: error))")
    }

    @Test func aWholeNumberProbeIdIsStillAccepted() throws {
        let folder = try TemporaryFolder()
        let file = try folder.write("id.jsonl", #"{"model": "m", "probe_id": 7, "prompt": "a", "response": "b"}"# + "\n")
        let store = try folder.store()
        _ = try TranscriptImporter().importFiles([file], into: store, command: "test")
        let ids = try store.read { db in try String.fetchAll(db, sql: "SELECT externalID FROM probeSetMember") }
        #expect(ids == ["7"])
    }

    @Test func aFolderIsNamedAsAFolder() throws {
        let folder = try TemporaryFolder()
        try folder.write("answers/a.jsonl", Self.good + "\n")
        let error = failure(folder.path("answers"), store: try folder.store())
        #expect(error?.problem == "is a folder, not a transcript file")
        #expect(error?.fix?.contains("answers/*.jsonl") == true)
        #expect(error?.description.contains("NSCocoaErrorDomain") == false)
    }

    @Test func anAlpacaEvalSyntaxErrorNamesItsLine() throws {
        let folder = try TemporaryFolder()
        let text = """
            [
              {"instruction": "a", "output": "b", "generator": "g", "dataset": "d"},
              {"instruction": "c", "output": "d", "generator": "g", "dataset": "d"},
              {"instruction": "e", "output": "f" "generator": "g", "dataset": "d"}
            ]
            """
        let file = try folder.write("model_outputs.json", text)
        let error = failure(file, store: try folder.store())
        #expect(error?.line == 4, "\(String(describing: error))")
        #expect(error?.description.contains("model_outputs.json:4:") == true)
    }
}
