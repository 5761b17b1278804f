import Foundation
import Testing
@testable import Lineage

/// The sample the demo ships (`samples/local-models.jsonl`, re-collected by `scripts/zoo baseline`):
/// every answer says whether it was cut off, so a report on it counts truncation instead of calling
/// it unknown (issue 12), and every answer had its own seed.
@Suite struct ShippedSampleTests {
    static var sample: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../samples/local-models.jsonl").standardized
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: sample.path), "needs samples/local-models.jsonl in the checkout"))
    func everyShippedAnswerCarriesItsFinishReasonAndItsOwnSeed() throws {
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let summary = try TranscriptImporter().importFiles([Self.sample.path], into: store, command: "test")
        #expect(summary.added == 1008)
        let responses = try store.responses()
        #expect(responses.allSatisfy { ["stop", "length"].contains($0.finishReason ?? "") })
        let seeds = responses.compactMap(\.parameters.seed)
        #expect(seeds.count == responses.count && Set(seeds).count == seeds.count / 2,
                "one seed per probe and sample, the same for both models")

        let models = Array(Set(responses.map(\.model))).sorted()
        let quality = ReportWriter.dataQuality(responses: responses, failed: [:], models: models)
        let truncated = responses.filter { $0.finishReason == "length" }.count
        #expect(truncated > 0 && quality.models.values.reduce(0) { $0 + $1.truncated } == truncated)
        #expect(quality.models.values.allSatisfy { ($0.finishUnknown ?? 0) == 0 })
        #expect(quality.notes.contains { $0.contains("were cut off at the token limit") })
        #expect(!quality.notes.contains { $0.contains("is unknown") })
    }

    static var zoo: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../samples/zoo.jsonl").standardized
    }

    /// The demo's question on the real students of `scripts/zoo` (known teacher and dose), through the
    /// real binary at its defaults: the full-dose Qwen student is `evidence` (exit 10) from its identity
    /// claims, although its panel of base siblings does not bracket it (run 15), and with
    /// `--no-identity-despite-fit` it is capped at `inconclusive` (exit 11); the self-distilled control
    /// is never `evidence`.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: zoo.path), "needs samples/zoo.jsonl in the checkout"))
    func theZoosFullDoseStudentIsFoundAndItsSelfDistilledControlIsNot() throws {
        let folder = try TemporaryFolder()
        let store = folder.path("zoo.sqlite")
        #expect(try LineageBinary.run(["import", Self.zoo.path, "--store", store], in: folder).status == 0)
        let panel = ["--reference", "qwen2.5-coder-0.5b-instruct", "--reference-centric",
                     "--control", "smollm2-135m-instruct", "--control", "smollm2-135m-roundtrip", "--store", store]
        let student = try LineageBinary.run(["attribute", "--suspect", "smollm2-135m-student-qwen-100"] + panel
                                                + ["--control", "smollm2-135m-student-self"], in: folder)
        #expect(student.status == 10, "\(student.output.suffix(600))")
        #expect(student.output.contains("self-identity test alone is significant"))
        let capped = try LineageBinary.run(["attribute", "--suspect", "smollm2-135m-student-qwen-100", "--no-identity-despite-fit"] + panel
                                               + ["--control", "smollm2-135m-student-self"], in: folder)
        #expect(capped.status == 11 && capped.output.contains("do not bracket"))
        let control = try LineageBinary.run(["attribute", "--suspect", "smollm2-135m-student-self"] + panel, in: folder)
        #expect(control.status != 10, "\(control.output.suffix(600))")
    }
}
