import Foundation
import Testing
@testable import Lineage

@Suite struct WordProfileDistanceTests {
    @Test func wordsHashLikeFNV1a() {
        // Expected buckets computed independently in Python: FNV-1a 64 over each lower-cased
        // word's UTF-8 bytes, modulo 2048; "_" and punctuation split words.
        #expect(WordProfileDistance.wordBuckets("Hello, World42! héllo  naïve_x", dimensions: 2048) == [1291, 1813, 224, 683, 1799])
    }

    /// Fake responses: `models` answering `probes` probes, words drawn from a per-model vocabulary
    /// mix, so that models differ by degrees.
    func responses(models: [String], probes: Int, samples: Int, seed: UInt64) -> [StoredResponse] {
        var generator = SeededGenerator(seed: seed)
        let vocabulary = (0..<60).map { "w\($0)" }
        var result: [StoredResponse] = []
        var id: Int64 = 0
        for (m, model) in models.enumerated() {
            for probe in 0..<probes {
                let content = ProbeContent(turns: ["question \(probe)"])
                for sample in 0..<samples {
                    let words = (0..<Int.random(in: 5...30, using: &generator)).map { _ in
                        vocabulary[(Int.random(in: 0..<20, using: &generator) + m * 7 + probe) % vocabulary.count]
                    }
                    id += 1
                    result.append(StoredResponse(id: id, model: model, probeID: Int64(probe), probeHash: content.contentHash,
                                                 probe: content, sampleIndex: sample, parameters: SamplingParameters(),
                                                 turns: [words.joined(separator: " ")], finishReason: nil, contentHash: ""))
                }
            }
        }
        return result
    }

    /// The documented formula, in plain Double arithmetic with dictionaries.
    func naive(_ responses: [StoredResponse], weights: [String: Double]) -> [String: [String: Double]] {
        struct Key: Hashable { let model: String, probe: String }
        var counts: [Key: [Int: Double]] = [:], answers: [Key: Double] = [:]
        for r in responses {
            let key = Key(model: r.model, probe: r.probeHash)
            answers[key, default: 0] += 1
            for bucket in WordProfileDistance.wordBuckets(r.turns.joined(separator: "\n"), dimensions: 2048) { counts[key, default: [:]][bucket, default: 0] += 1 }
        }
        var df: [Int: Double] = [:]
        for (_, c) in counts { for bucket in c.keys { df[bucket, default: 0] += 1 } }
        let n = Double(answers.count)
        var vectors: [Key: [Int: Double]] = [:]
        for (key, c) in counts {
            var v = c.mapValues { _ in 0.0 }
            for (bucket, count) in c { v[bucket] = log(1 + count / answers[key]!) * (log((1 + n) / (1 + df[bucket]!)) + 1) }
            let norm = v.values.map { $0 * $0 }.reduce(0, +).squareRoot()
            vectors[key] = v.mapValues { $0 / norm }
        }
        var centred = vectors
        for probe in Set(vectors.keys.map(\.probe)) {
            let keys = vectors.keys.filter { $0.probe == probe }
            var mean: [Int: Double] = [:]
            for key in keys { for (b, x) in vectors[key]! { mean[b, default: 0] += x / Double(keys.count) } }
            for key in keys { for (b, x) in mean { centred[key]![b, default: 0] -= x } }
        }
        var profiles: [String: [Int: Double]] = [:]
        for (key, v) in centred { for (b, x) in v { profiles[key.model, default: [:]][b, default: 0] += (weights[key.probe] ?? 0) * x } }
        func cosine(_ a: [Int: Double], _ b: [Int: Double]) -> Double {
            let dot = a.reduce(0) { $0 + $1.value * (b[$1.key] ?? 0) }
            let na = a.values.map { $0 * $0 }.reduce(0, +).squareRoot(), nb = b.values.map { $0 * $0 }.reduce(0, +).squareRoot()
            return dot / (na * nb)
        }
        return profiles.mapValues { a in profiles.mapValues { b in 1 - cosine(a, b) } }
    }

    @Test func matchesANaiveComputationIncludingBootstrapWeights() {
        let seed = UInt64(Date().timeIntervalSince1970) % 100_000
        print("WordProfileDistanceTests seed:", seed)
        let data = responses(models: ["a", "b", "c", "d", "e"], probes: 7, samples: 2, seed: seed)
        let source = WordProfileDistance(responses: data)
        for drawn in [Array(source.probes.indices), [0, 0, 3, 5, 5, 5, 6]] {
            var weights: [String: Double] = [:]
            for probe in drawn { weights[source.probes[probe], default: 0] += 1 }
            let expected = naive(data, weights: weights)
            let matrix = source.distances(probes: drawn)
            for (i, a) in matrix.names.enumerated() {
                for (j, b) in matrix.names.enumerated() {
                    let truth = i == j ? 0 : expected[a]![b]!
                    #expect(abs(matrix[i, j] - truth) < 1e-4, "\(a)–\(b): \(matrix[i, j]) vs \(truth), seed \(seed)")
                }
            }
        }
    }

    @Test func aModelUnderTwoNamesIsAtDistanceZero() {
        var data = responses(models: ["a", "b", "c"], probes: 5, samples: 1, seed: 11)
        data += data.filter { $0.model == "a" }.map { var copy = $0; copy.model = "a-copy"; return copy }
        let matrix = WordProfileDistance(responses: data).distances(probes: Array(0..<5))
        let (a, copy) = (matrix.names.firstIndex(of: "a")!, matrix.names.firstIndex(of: "a-copy")!)
        #expect(matrix[a, copy] < 1e-5)
        #expect(matrix[a, matrix.names.firstIndex(of: "b")!] > 0.1)
    }

    @Test func aModelSharingNoProbeIsFlagged() {
        var data = responses(models: ["a", "b", "c"], probes: 4, samples: 1, seed: 5)
        let alone = ProbeContent(turns: ["asked of one model only"])
        data.append(StoredResponse(id: 999, model: "loner", probeID: 99, probeHash: alone.contentHash, probe: alone, sampleIndex: 0,
                                   parameters: SamplingParameters(), turns: ["some words here"], finishReason: nil, contentHash: ""))
        let source = WordProfileDistance(responses: data)
        #expect(source.isolated == ["loner"])
        let matrix = source.distances(probes: Array(source.probes.indices))
        let loner = matrix.names.firstIndex(of: "loner")!
        #expect(matrix.values[loner].enumerated().allSatisfy { $0.offset == loner || abs($0.element - 1) < 1e-6 })
        let comparison = ModelComparison.compare(source, replicates: 0, seed: 1, reproducibility: Reproducibility(command: "test", seed: 1, store: "-", configuration: [:]))
        #expect(comparison.warnings.contains { $0.hasPrefix("loner answered no probe") })
    }
}
