import Foundation
import Testing
@testable import Lineage

/// Fingerprint matrices compacted to the columns in use give the cosines of the full matrices.
@Suite struct CompactSimilarityTests {
    /// Seven models answering twelve two-turn probes, one to three samples each, from overlapping vocabularies.
    static func corpus() -> ([StoredResponse], [String]) {
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
        return (responses, models)
    }

    /// The largest elementwise difference between two lists of matrices.
    static func largestDifference(_ a: [Matrix], _ b: [Matrix]) -> Float {
        zip(a, b).map { zip($0.values, $1.values).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
    }

    /// Each family's own cosines, kept beside the whole fingerprint's, equal a fingerprint built from
    /// that family alone; and keeping them leaves the whole fingerprint's cosines as they were.
    @Test func familyCosinesEqualSingleFamilyFingerprints() throws {
        let (responses, models) = Self.corpus()
        var builder = FingerprintBuilder()
        builder.keepFamilies = true
        let kept = try builder.similarities(of: responses, models: models)
        let plain = try FingerprintBuilder().similarities(of: responses, models: models)
        #expect(kept.similarities.count == 12)
        #expect(Self.largestDifference(kept.similarities, plain.similarities) <= 1e-5)
        #expect(plain.familySimilarities.isEmpty)
        #expect(Set(kept.familySimilarities.keys) == Set(FingerprintFamily.views))
        for family in FingerprintFamily.views {
            var alone = FingerprintWeights(words: 0, characters: 0, openings: 0, style: 0, markers: 0, identity: 0)
            switch family {
            case .words: alone.words = 0.8
            case .characters: alone.characters = 0.8
            case .openings: alone.openings = 0.8
            case .style: alone.style = 0.8
            case .markers: alone.markers = 0.8
            case .identity: break
            }
            let expected = try FingerprintBuilder(weights: alone).similarities(of: responses, models: models)
            let actual = try #require(kept.familySimilarities[family])
            #expect(actual.count == expected.similarities.count)
            #expect(Self.largestDifference(actual, expected.similarities) <= 1e-5, "\(family)")
            // Not all the same: the family views differ from one another and from the whole.
            #expect(Self.largestDifference(actual, kept.similarities) > 1e-3, "\(family)")
        }
    }

    @Test func compactColumnsGiveTheFullMatricesCosines() throws {
        let (responses, models) = Self.corpus()
        var full = FingerprintBuilder()
        full.compactColumns = false
        let expected = try full.similarities(of: responses, models: models)
        var timing = FingerprintBuilder.ProductTiming()
        let compact = try FingerprintBuilder().similarities(of: responses, models: models, timing: &timing)
        #expect(timing.products == 24 && timing.columns < 24 * 66_645 / 4)
        #expect(compact.similarities.count == expected.similarities.count)
        let worst = Self.largestDifference(compact.similarities, expected.similarities)
        #expect(worst <= 1e-5, "largest difference \(worst)")
        #expect(compact.logLengths == expected.logLengths && compact.identityClaims == expected.identityClaims)
    }
}
