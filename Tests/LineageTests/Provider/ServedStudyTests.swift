import Foundation
import Testing
@testable import Lineage

/// The served-sample study end to end through the store: served-log import, fresh and suspect
/// answers, refusals, and the report with its schema.
@Suite struct ServedStudyTests {
    static let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../docs/schema").standardized

    struct Fixture {
        let folder: TemporaryFolder
        let store: ResponseStore
        let log: String
        let prompts: Int
    }

    /// A served log of `prompts` prompts (toy teacher answers), fresh samples (k = 4) as imported
    /// transcripts, and two suspects: one copying the served answers with noise, one copying an
    /// unserved sample of the same teacher.
    static func fixture(prompts: Int = 30, seed: UInt64 = 11) throws -> Fixture {
        let folder = try TemporaryFolder()
        var generator = SeededGenerator(seed: seed)
        let teacher = ServedSampleTests.ToyTeacher()
        var log: [String] = [], fresh: [String] = [], suspects: [String] = []
        func json(_ object: [String: Any]) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        let params: [String: Any] = ["temperature": 0.7, "top_p": 1, "max_tokens": 64]
        for p in 0..<prompts {
            let prompt = "Question number \(p)?"
            let served = teacher.answer(prompt: p, &generator)
            log.append(json(["account": "acct-\(p % 7)", "time": "2026-03-01T12:\(String(format: "%02d", p % 60)):00Z", "prompt": prompt,
                             "response": served, "model_snapshot": "snap-1", "params": params.merging(["seed": 1000 + p]) { $1 }]))
            for j in 0..<4 {
                fresh.append(json(["model": "fresh", "probe_id": "q\(p)", "prompt": prompt, "response": teacher.answer(prompt: p, &generator),
                                   "sample_index": j, "params": params.merging(["seed": 100_000 + 10 * p + j]) { $1 }]))
            }
            suspects.append(json(["model": "copier", "probe_id": "q\(p)", "prompt": prompt,
                                  "response": teacher.noisyCopy(of: served, prompt: p, noise: 0.4, &generator)]))
            let unserved = teacher.answer(prompt: p, &generator)
            suspects.append(json(["model": "sibling", "probe_id": "q\(p)", "prompt": prompt,
                                  "response": teacher.noisyCopy(of: unserved, prompt: p, noise: 0.4, &generator)]))
        }
        let logPath = try folder.write("served.jsonl", log.joined(separator: "\n") + "\n")
        let store = try folder.store()
        _ = try ServedLogImporter().importFiles([logPath], into: store, command: "test")
        let freshPath = try folder.write("fresh.jsonl", fresh.joined(separator: "\n"))
        let suspectPath = try folder.write("suspects.jsonl", suspects.joined(separator: "\n"))
        _ = try TranscriptImporter().importFiles([freshPath, suspectPath], into: store, command: "test")
        return Fixture(folder: folder, store: store, log: logPath, prompts: prompts)
    }

    static func options(suspect: String) -> ServedSampleStudyOptions {
        var options = ServedSampleStudyOptions(served: "served:snap-1", fresh: "fresh", suspect: suspect)
        options.freshSnapshot = "snap-1"
        options.test.replicates = 999
        options.test.bootstrap = 200
        return options
    }

    @Test func importIsHashedIdempotentAndKeepsTheRecord() throws {
        let fixture = try Self.fixture(prompts: 5)
        let again = try ServedLogImporter().importFiles([fixture.log], into: fixture.store, command: "test")
        #expect(again.added == 0 && again.alreadyStored == 5 && again.models == ["snap-1": "served:snap-1"] && again.accounts == 5)
        let stored = try fixture.store.read { db in
            try ResponseRecord.filter(sql: "modelID = (SELECT id FROM model WHERE name = 'served:snap-1')").fetchAll(db)
        }
        #expect(stored.count == 5)
        let first = try #require(stored.first)
        #expect(first.responseBodyHash == ContentHash.sha256(first.responseBody!))
        #expect(first.requestBody!.contains("\"account\":\"acct-0\"") && first.source!.hasSuffix("served.jsonl:1"))
        #expect(first.parameters.temperature == 0.7 && first.parameters.seed == 1000)
        let model = try fixture.store.read { db in try ModelRecord.filter(sql: "name = 'served:snap-1'").fetchOne(db) }
        #expect(model?.backend == "served-log" && model?.providerModelID == "snap-1")
    }

    @Test func badServedLogLinesNameFileLineAndFix() throws {
        let folder = try TemporaryFolder()
        let good = #"{"account": "a", "time": "2026-03-01T12:00:00Z", "prompt": "p", "response": "r", "model_snapshot": "s", "params": {"temperature": 0.7}}"#
        for (line, words) in [(#"{"account": "a", "time": "yesterday", "prompt": "p", "response": "r", "model_snapshot": "s", "params": {"temperature": 0.7}}"#, "ISO 8601"),
                              (#"{"account": "a", "time": "2026-03-01T12:00:00Z", "prompt": "p", "response": "r", "model_snapshot": "s", "params": {}}"#, "no \"temperature\""),
                              (#"{"account": "a", "time": "2026-03-01T12:00:00Z", "prompt": "p", "response": "r", "params": {"temperature": 1}}"#, "model_snapshot"),
                              (#"{"acount": "a"}"#, "unknown field \"acount\"")] {
            let path = try folder.write("bad.jsonl", good + "\n" + line + "\n")
            do {
                _ = try ServedLogReader.read(path)
                Issue.record("accepted: \(line)")
            } catch let error as ImportError {
                #expect(error.line == 2 && error.file == path && error.fix != nil, "\(error)")
                #expect(error.description.contains(words), "\(error)")
            }
        }
    }

    @Test func theServedPromptsBecomeAProbeSetForLineageRun() throws {
        let fixture = try Self.fixture(prompts: 6)
        let records = try ServedLogReader.read(fixture.log)
        let path = try fixture.folder.write("served.yaml", ServedProbeSet.yaml(ServedProbeSet.make(records)))
        let set = try ProbeSetLoader.load(path: path)
        #expect(set.probes.count == 6)
        #expect(set.probes.map(\.content.contentHash) == records.map(\.probe.contentHash))
        #expect(set.probes.allSatisfy { $0.sampling == SamplingParameters(temperature: 0.7, topP: 1, maxTokens: 64) })
    }

    @Test func aCopierIsFoundAndASiblingIsNot() throws {
        let fixture = try Self.fixture()
        let (copier, responses) = try ServedSampleStudy.run(options: Self.options(suspect: "copier"), store: fixture.store)
        #expect(copier.verdict == .evidence && copier.pValueMethod == "exact" && copier.probes == fixture.prompts)
        #expect(copier.samples == ["served:snap-1": 30, "fresh": 120, "copier": 30] && responses.count == 180)
        let (sibling, _) = try ServedSampleStudy.run(options: Self.options(suspect: "sibling"), store: fixture.store)
        #expect(sibling.pValue > 0.001, "a sibling learnt from other samples of the teacher: the null")
    }

    /// `--probe`: the study of a subset is the study of those prompts alone (each prompt's ranks are its
    /// own), and a prompt the suspect did not answer is refused with the fix.
    @Test func aSubsetOfPromptsIsTestedAloneAndAnUnknownOneIsRefused() throws {
        let fixture = try Self.fixture()
        let (full, _) = try ServedSampleStudy.run(options: Self.options(suspect: "sibling"), store: fixture.store)
        let chosen = full.prompts.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        var options = Self.options(suspect: "sibling")
        options.probes = Set(chosen.map(\.probeID))
        let (subset, responses) = try ServedSampleStudy.run(options: options, store: fixture.store)
        #expect(subset.probes == chosen.count && subset.prompts == chosen)
        #expect(responses.count == chosen.count * 6, "one served, four fresh and one suspect answer per prompt")
        let expected = chosen.map(\.score).reduce(0, +) / Double(chosen.count)
        #expect(abs(subset.test.statistic - expected) < 1e-12, "the statistic is the mean served score over the chosen prompts")
        #expect(subset.reproducibility.configuration["probes"] == chosen.map(\.probeID).sorted().joined(separator: ","))
        options.probes = [chosen[0].probeID, "served-000000000000"]
        do {
            _ = try ServedSampleStudy.run(options: options, store: fixture.store)
            Issue.record("an unknown prompt was accepted")
        } catch let error as ServedSampleError {
            #expect(error.description.contains("served-000000000000") && error.description.contains("--probes-out"), "\(error)")
        }
    }

    @Test func theStudyRefusesWhatBreaksExchangeability() throws {
        let fixture = try Self.fixture(prompts: 5)
        func refusal(_ options: ServedSampleStudyOptions) -> String {
            do {
                _ = try ServedSampleStudy.run(options: options, store: fixture.store)
                return "accepted"
            } catch let error as ServedSampleError {
                return error.description
            } catch {
                return "another error: \(error)"
            }
        }
        var options = Self.options(suspect: "copier")
        options.freshSnapshot = nil
        #expect(refusal(options).contains("imported"), "\(refusal(options))")
        options.freshSnapshot = "snap-2"
        #expect(refusal(options).contains("snap-2"), "\(refusal(options))")
        options = Self.options(suspect: "copier")
        options.fresh = "served:snap-1"
        #expect(refusal(options).contains("two roles"), "\(refusal(options))")
        options = Self.options(suspect: "copier")
        options.fresh = "sibling"
        #expect(refusal(options).contains("sampling parameters differ"), "\(refusal(options))")
    }

    @Test func theReportHasEveryFileAndMatchesItsSchema() throws {
        let fixture = try Self.fixture(prompts: 8)
        let (result, responses) = try ServedSampleStudy.run(options: Self.options(suspect: "copier"), store: fixture.store)
        let directory = fixture.folder.path("report")
        let (subject, manifest) = try ReportWriter.write(.servedSample(result), responses: responses, store: fixture.store, to: directory)
        for file in [ReportWriter.htmlFile, ReportWriter.markdownFile, ReportWriter.resultFile, ReportWriter.manifestFile] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + file), "\(file)")
        }
        #expect(manifest.responses.count == responses.count && manifest.resultSchema == ServedSampleResult.schemaName)
        guard case .servedSample(let back) = try ReportWriter.read(directory).subject else { Issue.record("not read back"); return }
        #expect(back.pValue == result.pValue && back.prompts == result.prompts && back.highlights?.isEmpty == false)
        let verification = try ReportVerifier.verify(reportDirectory: directory, store: fixture.store)
        #expect(verification.intact, "\(verification)")
        let json = try JSONSerialization.jsonObject(with: Data(try subject.json().utf8)) as! [String: Any]
        let validator = try JSONSchemaValidator(schemaFile: Self.schemaFolder.appendingPathComponent("lineage.served-sample.v1.json"), strict: true)
        #expect(validator.validate(json) == [])
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaFolder.appendingPathComponent("lineage.served-sample.v1.json"))) as! [String: Any]
        #expect(Set(json.keys).subtracting((schema["properties"] as! [String: Any]).keys).isEmpty)
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        #expect(html.contains("Assumptions") && html.contains("served-sample rank test"))
    }
}
