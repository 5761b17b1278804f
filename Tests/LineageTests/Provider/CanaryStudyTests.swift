import Foundation
import Testing
@testable import Lineage

/// The radioactivity test through the store and the report machinery, and the key file.
@Suite struct CanaryStudyTests {
    static let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../docs/schema").standardized

    @Test func keysRoundTripThroughHexAndBadKeyFilesAreRefused() throws {
        let folder = try TemporaryFolder()
        let key = CanaryKey.generate()
        #expect(try CanaryKey(hex: key.hex) == key && key.hex.count == 64)
        let path = try folder.write("k", key.hex + "\n")
        #expect(try CanaryKey.load(file: path) == key)
        let bad = try folder.write("bad", "not a key")
        let error = #expect(throws: CanaryError.self) { try CanaryKey.load(file: bad) }
        #expect(error?.file == bad && error?.fix != nil)
        #expect(CanaryKey.random(seed: 1, index: 2) == CanaryKey.random(seed: 1, index: 2))
        #expect(CanaryKey.random(seed: 1, index: 2) != CanaryKey.random(seed: 1, index: 3))
    }

    @Test func aStudentInTheStoreIsFoundAndTheReportMatchesItsSchema() throws {
        let folder = try TemporaryFolder()
        let key = CanaryKey.random(seed: 5, index: 0)
        var generator = SeededGenerator(seed: 5)
        var lines: [String] = []
        for model in ["student", "stranger"] {
            for p in 0..<25 {
                let writer = CanaryTests.ToyWriter(key: model == "student" ? key : nil, dose: 0.6)
                let object: [String: Any] = ["model": model, "probe_id": "q\(p)", "prompt": "Tell me about place \(p).",
                                             "response": writer.text(sentences: 6, &generator)]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        let store = try folder.store()
        _ = try TranscriptImporter().importFiles([try folder.write("answers.jsonl", lines.joined(separator: "\n"))], into: store, command: "test")
        var options = RadioactivityOptions()
        options.replicates = 199
        let (student, responses) = try RadioactivityStudy.run(suspect: "student", key: key, store: store, options: options)
        #expect(student.verdict == .evidence && responses.count == 25)
        let (stranger, _) = try RadioactivityStudy.run(suspect: "stranger", key: key, store: store, options: options)
        #expect(stranger.verdict != .evidence || stranger.pValue > 0.005)
        let missing = #expect(throws: CanaryError.self) { try RadioactivityStudy.run(suspect: "nobody", key: key, store: store, options: options) }
        #expect(missing?.description.contains("lineage models") == true)

        let directory = folder.path("report")
        let (subject, manifest) = try ReportWriter.write(.radioactivity(student), responses: responses, store: store, to: directory)
        #expect(manifest.responses.count == 25 && manifest.resultSchema == RadioactivityResult.schemaName)
        let json = try JSONSerialization.jsonObject(with: Data(try subject.json().utf8)) as! [String: Any]
        let file = Self.schemaFolder.appendingPathComponent("lineage.radioactivity.v1.json")
        let problems = try JSONSchemaValidator(schemaFile: file, strict: true).validate(json)
        #expect(problems == [])
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        #expect(Set(json.keys).subtracting((schema["properties"] as! [String: Any]).keys).isEmpty)
        #expect(!(try String(contentsOfFile: directory + "/report.md", encoding: .utf8)).contains(key.hex), "the key never reaches a report")
        guard case .radioactivity(let back) = try ReportWriter.read(directory).subject else { Issue.record("not read back"); return }
        #expect(back.agreements == student.agreements)
    }
}
