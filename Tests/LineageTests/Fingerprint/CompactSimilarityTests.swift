import Foundation
import Testing
@testable import Lineage

/// Fingerprint matrices compacted to the columns in use give the cosines of the full matrices.
@Suite struct CompactSimilarityTests {
    @Test func compactColumnsGiveTheFullMatricesCosines() throws {
        var generator = SeededGenerator(seed: 17)
        let vocabulary = (0..<300).map { "word\($0)" } + ["Certainly!", "I'm sorry,", "**bold**", "- item", "\n", "\n\n", "# Title", "café", "中文"]
        let models = (0..<7).map { "model-\($0)" }
        var responses: [StoredResponse] = []
        var id: Int64 = 0
        for (m, model) in models.enumerated() {
            for probe in 0..<12 {
                let content = ProbeContent(turns: ["question \(probe)", "and a follow-up"])
                for sample in 0..<(1 + m % 3) {
                    let turns = (0..<2).map { _ in
                        (0..<Int.random(in: 3...80, using: &generator)).map { _ in
                            vocabulary[(Int.random(in: 0..<60, using: &generator) + m * 11 + probe * 3) % vocabulary.count]
                        }.joined(separator: " ")
                    }
                    id += 1
                    responses.append(StoredResponse(id: id, model: model, probeID: Int64(probe), probeHash: content.contentHash,
                                                    probe: content, sampleIndex: sample, parameters: SamplingParameters(),
                                                    turns: turns, finishReason: nil, contentHash: "\(id)"))
                }
            }
        }
        var full = FingerprintBuilder()
        full.compactColumns = false
        let expected = try full.similarities(of: responses, models: models)
        var timing = FingerprintBuilder.ProductTiming()
        let compact = try FingerprintBuilder().similarities(of: responses, models: models, timing: &timing)
        #expect(timing.products == 24 && timing.columns < 24 * 66_645 / 4)
        #expect(compact.similarities.count == expected.similarities.count)
        var worst: Float = 0
        for (a, b) in zip(compact.similarities, expected.similarities) {
            for (x, y) in zip(a.values, b.values) { worst = max(worst, abs(x - y)) }
        }
        #expect(worst <= 1e-5, "largest difference \(worst)")
        #expect(compact.logLengths == expected.logLengths && compact.identityClaims == expected.identityClaims)
    }
}
