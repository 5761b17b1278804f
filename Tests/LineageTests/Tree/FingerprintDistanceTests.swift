import Foundation
import Testing
@testable import Lineage

@Suite struct FingerprintDistanceTests {
    static let reproducibility = Reproducibility(command: "test", seed: 1, store: "-", configuration: [:])

    /// Fake answers: each model writes in its style (its own stock words, opening and format) about
    /// each probe's topic (the probe's own words); `answers[probe]` lists the models answering it.
    static func responses(styles: [String: Int], answers: [[String]], turns: Int = 2, seed: UInt64) -> [StoredResponse] {
        var generator = SeededGenerator(seed: seed)
        let openings = ["Certainly! ", "Sure, ", "Well, ", "Hello! ", "", "Okay. "]
        var result: [StoredResponse] = []
        var id: Int64 = 0
        for (probe, models) in answers.enumerated() {
            let content = ProbeContent(turns: (0..<turns).map { "question \(probe) part \($0)" })
            for model in models {
                let style = styles[model]!
                for sample in 0..<(1 + style % 2) {
                    let texts = (0..<turns).map { turn in
                        let words = (0..<Int.random(in: 20...60, using: &generator)).map { _ in
                            Int.random(in: 0..<3, using: &generator) == 0
                                ? "style\(style)w\(Int.random(in: 0..<12, using: &generator))"
                                : "topic\(probe)t\(turn)w\(Int.random(in: 0..<25, using: &generator))"
                        }
                        let body = stride(from: 0, to: words.count, by: 10).map { words[$0..<min($0 + 10, words.count)].joined(separator: " ") }
                        return openings[style % openings.count] + body.joined(separator: style % 3 == 0 ? "\n- " : ". ")
                    }
                    id += 1
                    result.append(StoredResponse(id: id, model: model, probeID: Int64(probe), probeHash: content.contentHash, probe: content,
                                                 sampleIndex: sample, parameters: SamplingParameters(), turns: texts, finishReason: nil,
                                                 contentHash: "\(id)"))
                }
            }
        }
        return result
    }

    /// Six models in six styles; probes 0–9 answered by all, 10–13 by some, 14 by "f" alone.
    static func corpus(seed: UInt64) -> [StoredResponse] {
        let models = ["a", "b", "c", "d", "e", "f"]
        let answers = (0..<10).map { _ in models } + [["a", "b"], ["c", "d", "e"], ["a", "f"], ["b", "c", "d", "e", "f"], ["f"]]
        return responses(styles: Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) }), answers: answers, seed: seed)
    }

    /// The documented construction in plain Double loops over the builder's rows: per (model, probe)
    /// the mean of its turn rows, centred on the probe's mean over the models answering it, summed
    /// with the probe weights; distance = 1 − cosine.
    static func naive(_ rows: FingerprintRows, weights: [Double]) -> [[Double]] {
        struct Key: Hashable { let model: Int, probe: Int }
        var perProbe: [Key: [Int: Double]] = [:]
        for (r, owner) in rows.owners.enumerated() {
            let key = Key(model: owner.model, probe: owner.probe)
            for (column, value) in rows.entries(ofRow: r) {
                perProbe[key, default: [:]][Int(column), default: 0] += Double(value) / Double(rows.probes[owner.probe].turns)
            }
        }
        var profiles = [[Int: Double]](repeating: [:], count: rows.models.count)
        for p in rows.probes.indices {
            let keys = perProbe.keys.filter { $0.probe == p }
            var mean: [Int: Double] = [:]
            for key in keys { for (c, x) in perProbe[key]! { mean[c, default: 0] += x / Double(keys.count) } }
            for key in keys {
                var centred = perProbe[key]!
                for (c, x) in mean { centred[c, default: 0] -= x }
                for (c, x) in centred { profiles[key.model][c, default: 0] += weights[p] * x }
            }
        }
        func norm(_ v: [Int: Double]) -> Double { v.values.map { $0 * $0 }.reduce(0, +).squareRoot() }
        return profiles.indices.map { i in
            profiles.indices.map { j in
                guard i != j else { return 0 }
                let (ni, nj) = (norm(profiles[i]), norm(profiles[j]))
                guard ni > 1e-9, nj > 1e-9 else { return 1 }
                return 1 - profiles[i].reduce(0) { $0 + $1.value * (profiles[j][$1.key] ?? 0) } / (ni * nj)
            }
        }
    }

    /// The clade's bootstrap support: the inner node whose leaves are the clade (or, across the root, all the others).
    static func support(of clade: Set<String>, in tree: LineageTree) -> Double? {
        let all = Set(tree.leafNames)
        return tree.nodes.indices.first { node in
            guard node != tree.root, !tree.nodes[node].isLeaf else { return false }
            let side = Set(tree.leaves(under: node).compactMap { tree.nodes[$0].name })
            return side == clade || all.subtracting(side) == clade
        }.flatMap { tree.nodes[$0].support }
    }

    @Test func rowsGiveTheBuildersSimilarities() throws {
        let (responses, models) = CompactSimilarityTests.corpus()
        let rows = try FingerprintBuilder().fingerprintRows(of: responses, models: models)
        let similarities = try FingerprintBuilder().similarities(of: responses, models: models)
        #expect(rows.probes == similarities.probes)
        #expect(rows.samples == similarities.samples && rows.cleaning == similarities.cleaning)
        var vectors: [FingerprintRows.Owner: [Int32: Float]] = [:]
        for (r, owner) in rows.owners.enumerated() {
            vectors[owner] = Dictionary(uniqueKeysWithValues: Array(rows.entries(ofRow: r)))
            #expect(abs(vectors[owner]!.values.map { Double($0 * $0) }.reduce(0, +) - 1) < 1e-5)
        }
        #expect(vectors.count == models.count * rows.probes.map(\.turns).reduce(0, +))
        var largest: Double = 0
        for (p, probe) in rows.probes.enumerated() {
            for a in models.indices {
                for b in models.indices {
                    let cosine = (0..<probe.turns).map { t in
                        let (x, y) = (vectors[.init(model: a, probe: p, turn: t)]!, vectors[.init(model: b, probe: p, turn: t)]!)
                        return x.reduce(0.0) { $0 + Double($1.value) * Double(y[$1.key] ?? 0) }
                    }.reduce(0, +) / Double(probe.turns)
                    largest = max(largest, abs(cosine - Double(similarities.similarities[p][a, b])))
                }
            }
        }
        #expect(largest < 1e-5)
    }

    @Test func matchesANaiveComputationIncludingBootstrapWeights() throws {
        let seed = UInt64(Date().timeIntervalSince1970) % 100_000
        print("FingerprintDistanceTests seed:", seed)
        let data = Self.corpus(seed: seed)
        let source = try FingerprintDistance(responses: data)
        let rows = try FingerprintBuilder().fingerprintRows(of: data, models: source.models)
        #expect(source.probes == rows.probes.map(\.probeHash) && source.probes.count == 15)
        #expect(source.isolated.isEmpty)
        var generator = SeededGenerator(seed: seed)
        let draws = [Array(source.probes.indices), [0, 0, 3, 10, 10, 12, 14, 14]]
            + (0..<3).map { _ in source.probes.indices.map { _ in Int.random(in: 0..<source.probes.count, using: &generator) } }
        for drawn in draws {
            var weights = [Double](repeating: 0, count: source.probes.count)
            for probe in drawn { weights[probe] += 1 }
            let expected = Self.naive(rows, weights: weights)
            let matrix = source.distances(probes: drawn)
            #expect(matrix.names == source.models)
            for i in matrix.names.indices {
                for j in matrix.names.indices {
                    #expect(abs(matrix[i, j] - expected[i][j]) < 1e-4, "\(matrix.names[i])–\(matrix.names[j]): \(matrix[i, j]) vs \(expected[i][j]), draw \(drawn), seed \(seed)")
                }
            }
        }
    }

    @Test func anExactCopySitsAtDistanceZeroAndJoinsItsOriginal() throws {
        var data = Self.corpus(seed: 23)
        data += data.filter { $0.model == "c" }.map { var copy = $0; copy.model = "c-copy"; return copy }
        let source = try FingerprintDistance(responses: data)
        let matrix = source.distances(probes: Array(source.probes.indices))
        let index = { (name: String) in matrix.names.firstIndex(of: name)! }
        #expect(matrix[index("c"), index("c-copy")] < 1e-5)
        for other in ["a", "b", "d", "e", "f"] { #expect(matrix[index("c"), index(other)] > 0.3) }
        let comparison = ModelComparison.compare(source, replicates: 50, seed: 4, reproducibility: Self.reproducibility)
        let support = try #require(Self.support(of: ["c", "c-copy"], in: comparison.tree))
        #expect(support >= 0.95)
        #expect(comparison.distance == FingerprintDistance.description)
    }

    @Test func theBootstrapWithAFixedSeedIsReproducible() throws {
        let data = Self.corpus(seed: 31)
        let first = ModelComparison.compare(try FingerprintDistance(responses: data), replicates: 30, seed: 9, reproducibility: Self.reproducibility)
        let second = ModelComparison.compare(try FingerprintDistance(responses: data), replicates: 30, seed: 9, reproducibility: Self.reproducibility)
        #expect(first.tree == second.tree)
        #expect(first.distances == second.distances)
        #expect(first.tree.nodes.contains { $0.support != nil })
    }

    /// Models answering disjoint probe sets compare through their styles: "a1" (first half of the
    /// probes) and "b1" (second half) write alike, as do "a2" and "b2", "a3" and "b3".
    @Test func disjointProbeSetsStillCompareByStyle() throws {
        let styles = ["a1": 0, "a2": 1, "a3": 2, "b1": 0, "b2": 1, "b3": 2, "loner": 3]
        let answers = (0..<8).map { _ in ["a1", "a2", "a3"] } + (0..<8).map { _ in ["b1", "b2", "b3"] } + [["loner"]]
        let source = try FingerprintDistance(responses: Self.responses(styles: styles, answers: answers, seed: 8))
        #expect(source.isolated == ["loner"])
        let matrix = source.distances(probes: Array(source.probes.indices))
        let index = { (name: String) in matrix.names.firstIndex(of: name)! }
        for i in matrix.names.indices { for j in matrix.names.indices { #expect(matrix[i, j].isFinite && (0...2).contains(matrix[i, j])) } }
        for k in 1...3 {
            let same = matrix[index("a\(k)"), index("b\(k)")]
            for other in (1...3).filter({ $0 != k }) { #expect(same < matrix[index("a\(k)"), index("b\(other)")]) }
        }
        #expect(matrix.values[index("loner")].enumerated().allSatisfy { $0.offset == index("loner") || $0.element == 1 })
        let comparison = ModelComparison.compare(source, replicates: 0, seed: 1, reproducibility: Self.reproducibility)
        #expect(comparison.warnings.contains { $0.hasPrefix("loner answered no probe") })

        let strangers = try FingerprintDistance(responses: Self.responses(styles: ["x": 0, "y": 1], answers: [["x"], ["y"]], seed: 2))
        #expect(strangers.isolated == ["x", "y"])
        #expect(strangers.distances(probes: [0, 1, 1]).values == [[0, 1], [1, 0]])
    }
}
