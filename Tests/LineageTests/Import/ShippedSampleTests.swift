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
}
