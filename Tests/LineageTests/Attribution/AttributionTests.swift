import Foundation
import Testing
@testable import Lineage

/// End to end, from imported transcripts to a verdict, on made-up models: a teacher with its own
/// word choice and stock phrases, a student that paraphrases the teacher, a reference of another
/// family, and independent controls.
@Suite struct AttributionTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("AttributionTests seed: \(seed)")
        return seed
    }()

    static let vocabulary = (0..<400).map { i in "w" + String(i, radix: 26).map { c in Character(UnicodeScalar(97 + Int(String(c), radix: 26)!)!) }.map(String.init).joined() }

    /// Writes a Lineage JSONL transcript of `models` answering `probes` prompts and imports it.
    static func store(in folder: TemporaryFolder, probes: Int, seed: UInt64) throws -> ResponseStore {
        var rng = SeededGenerator(seed: seed)
        func pick(_ words: [String], _ n: Int) -> [String] { (0..<n).map { _ in words[Int(rng.next() % UInt64(words.count))] } }
        var lines: [String] = []
        func add(_ model: String, _ probe: Int, _ text: String) {
            let object: [String: Any] = ["model": model, "probe_id": "p\(probe)", "prompt": "Question number \(probe) about topic \(probe % 7)?",
                                         "response": text]
            lines.append(String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        }
        for p in 0..<probes {
            let topic = Array(vocabulary[(p * 13 % 350)..<(p * 13 % 350 + 50)])
            let teacherWords = pick(topic, 60)
            add("teacher", p, "Certainly! Here is a clear answer. " + teacherWords.joined(separator: " ") + ". I hope this helps!")
            var studentWords = teacherWords
            for i in studentWords.indices where rng.next() % 10 < 4 { studentWords[i] = pick(topic, 1)[0] }
            add("student", p, "Certainly! Here is an answer. " + studentWords.joined(separator: " ") + ". I hope this helps!")
            add("other-family", p, "Good question; let me think. " + pick(topic, 60).joined(separator: " ") + ". Best wishes.")
            for c in 0..<3 {
                add("control-\(c)", p, pick(["well", "so", "ok", "hmm"], 1)[0] + " " + pick(topic, 55 + 5 * c).joined(separator: " ") + ".")
            }
        }
        let path = try folder.write("transcripts.jsonl", lines.joined(separator: "\n") + "\n")
        let store = try folder.store()
        _ = try TranscriptImporter().importFiles([path], into: store, command: "test")
        return store
    }

    static func options(suspect: String, controls: [String], seed: UInt64) -> AttributionOptions {
        var options = AttributionOptions(suspect: suspect, reference: "teacher", alternativeReference: "other-family", controls: controls)
        options.replicates = 999
        options.bootstrap = 500
        options.seed = seed
        return options
    }

    @Test func studentIsFoundAndAControlIsNot() throws {
        let folder = try TemporaryFolder()
        let store = try Self.store(in: folder, probes: 40, seed: seed)
        let controls = ["control-0", "control-1", "control-2"]
        var options = Self.options(suspect: "student", controls: controls, seed: seed)
        let responses = try store.responses(models: options.models)
        let catalog = try store.probeCatalog(probeIDs: Array(Set(responses.map(\.probeID))))
        let student = try AttributionStudy.run(options: options, responses: responses, catalog: catalog)
        #expect(student.verdict == .evidence)
        #expect(student.probes == 40)
        #expect(student.effect.estimate > 0 && student.effect.ciLow > 0)
        #expect(student.tests.first?.perProbe?.first?.probeID.hasPrefix("p") == true)
        #expect(student.tests.filter { $0.usedInVerdict == true }.count == 1)   // "teacher" has no known maker: no identity test
        #expect(student.warnings.contains { $0.contains("--reference-family") })

        // A control as the suspect, on a fixed seed: a valid level-α test says "evidence" for a true null
        // in a small share of seeds (about 0.3% here; the level is checked by the null simulations).
        let fixedFolder = try TemporaryFolder()
        let fixedStore = try Self.store(in: fixedFolder, probes: 40, seed: 20_240_601)
        options = Self.options(suspect: "control-0", controls: ["control-1", "control-2", "student"], seed: 20_240_601)
        let control = try AttributionStudy.run(options: options, responses: try fixedStore.responses(models: options.models))
        #expect(control.verdict != .evidence)
        // The student used as a control leans toward the teacher: the tool says so.
        #expect(control.controlDiagnostics["student"]?.contains("leans toward teacher") == true)
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let folder = try TemporaryFolder()
        let store = try Self.store(in: folder, probes: 25, seed: seed)
        let options = Self.options(suspect: "student", controls: ["control-0"], seed: seed)
        let result = try AttributionStudy.run(options: options, responses: try store.responses(models: options.models))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(LineageJSON.string(result).utf8)) as? [String: Any])
        for key in ["schema", "suspect", "reference", "controls", "verdict", "alpha", "p_value", "effect", "probes", "tests"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["schema"] as? String == "lineage.attribution/v1")
        let effect = try #require(object["effect"] as? [String: Any])
        #expect(effect["estimate"] != nil && effect["ci_low"] != nil && effect["ci_high"] != nil)
        let tests = try #require(object["tests"] as? [[String: Any]])
        #expect(tests.allSatisfy { $0["name"] != nil && $0["null_hypothesis"] != nil && $0["statistic"] != nil && $0["p_value"] != nil })
        // Same seed, same answer.
        let again = try AttributionStudy.run(options: options, responses: try store.responses(models: options.models))
        #expect(again.pValue == result.pValue && again.effect == result.effect)
    }

    @Test func badRolesAreRefusedWithAFix() throws {
        let same = AttributionOptions(suspect: "a", reference: "b", controls: ["a"])
        #expect(throws: FingerprintError.self) { try same.validate() }
        let none = AttributionOptions(suspect: "a", reference: "b", controls: [])
        #expect(throws: FingerprintError.self) { try none.validate() }
    }

    @Test func equalityFindsNoDifferenceWithinAModelAndADifferenceBetweenTwo() throws {
        // A fixed seed: a valid level-α test rejects a true null in α of all seeds, so "no evidence
        // within one model" holds for a seed, not for every seed (the level itself is checked by the
        // MMD null simulations). Two samples per probe: "teacher" samples one way, "student" another.
        let seed: UInt64 = 20_240_601
        var rng = SeededGenerator(seed: seed)
        var responses: [StoredResponse] = []
        for p in 0..<15 {
            for s in 0..<4 {
                let teacher = (0..<12).map { _ in ["red", "green", "blue"][Int(rng.next() % 3)] }.joined(separator: " ")
                let student = (0..<12).map { _ in ["red", "teal", "navy", "blue"][Int(rng.next() % 4)] }.joined(separator: " ")
                for (model, text) in [("teacher", teacher), ("student", student)] {
                    responses.append(StoredResponse(id: Int64(responses.count), model: model, probeID: Int64(p), probeHash: "h\(p)",
                                                    probe: ProbeContent(turns: ["q\(p)"]), sampleIndex: s, parameters: SamplingParameters(),
                                                    turns: [text], finishReason: nil, contentHash: "\(model)\(p)\(s)\(text)"))
                }
            }
        }
        var options = EqualityOptions(modelA: "teacher", modelB: "teacher")
        options.permutations = 199
        options.seed = seed
        let same = try EqualityStudy.run(options: options, responses: responses)
        #expect(same.verdict != .evidence)
        #expect(same.warnings.contains { $0.contains("split") })
        options.modelB = "student"
        let different = try EqualityStudy.run(options: options, responses: responses)
        #expect(different.verdict == .evidence)
        #expect(different.test.sampleSizes["prompts with repeated samples"] == 15)
        // The models' response counts are responses, as the store counts them, not answer turns.
        #expect(different.samples == ["teacher": 60, "student": 60])
        let twoTurns = responses.map { r in
            StoredResponse(id: r.id, model: r.model, probeID: r.probeID, probeHash: r.probeHash, probe: ProbeContent(turns: ["q", "and then?"]),
                           sampleIndex: r.sampleIndex, parameters: r.parameters, turns: r.turns + r.turns, finishReason: nil, contentHash: r.contentHash)
        }
        let multiTurn = try EqualityStudy.run(options: options, responses: twoTurns)
        #expect(multiTurn.samples == ["teacher": 60, "student": 60])
        #expect(multiTurn.test.sampleSizes["samples A"] == 120)
    }
}
