import Foundation

/// A simple distance between models computed from their stored answers: the cosine distance
/// between per-model word-unigram TF-IDF profiles, centred per probe.
///
/// The tree's first distance, kept beside `FingerprintDistance` (the default, on the full
/// fingerprint) as a word-only view and for comparison (`lineage tree --distance words`); it is
/// cheap, as it skips cleaning and the other feature families. Each (model, probe) document is the
/// model's answers to the probe (all turns, samples averaged) as hashed word counts weighted
/// `log(1 + tf) · idf` and L2-normalised. Centring each probe's documents on their mean across
/// models removes what the prompt dictates (its topic words), so models answering different
/// probe sets (e.g. MT-bench and arena-bench models) can be compared by how they answer rather
/// than what they were asked. A model's profile is the sum of its centred documents over the
/// probes drawn; distance = 1 − cosine similarity of two profiles.
public struct WordProfileDistance: Sendable {
    public static let description = "cosine distance of probe-centred word-unigram TF-IDF profiles (hashed to 2048 columns, no cleaning)"

    public let models: [String]
    /// Probe content hashes: the items a bootstrap resamples.
    public let probes: [String]
    /// Responses used per model.
    public let samples: [String: Int]
    /// Models that share no probe with any other model: their centred profile is empty, so they
    /// sit at distance 1 from everyone.
    public let isolated: [String]
    let documents: Matrix
    let documentModel: [Int]
    let documentProbe: [Int]

    public init(responses: [StoredResponse], dimensions: Int = 2048) {
        models = Array(Set(responses.map(\.model))).sorted()
        probes = Array(Set(responses.map(\.probeHash))).sorted()
        let modelIndex = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) })
        let probeIndex = Dictionary(uniqueKeysWithValues: probes.enumerated().map { ($1, $0) })
        samples = Dictionary(grouping: responses, by: \.model).mapValues(\.count)

        struct Key: Hashable { let model: Int, probe: Int }
        var counts: [Key: [Int: Float]] = [:]
        var answers: [Key: Int] = [:]
        for response in responses {
            let key = Key(model: modelIndex[response.model]!, probe: probeIndex[response.probeHash]!)
            answers[key, default: 0] += 1
            for bucket in Self.wordBuckets(response.turns.joined(separator: "\n"), dimensions: dimensions) {
                counts[key, default: [:]][bucket, default: 0] += 1
            }
        }
        let keys = answers.keys.sorted { ($0.probe, $0.model) < ($1.probe, $1.model) }
        var documentFrequency = [Float](repeating: 0, count: dimensions)
        for key in keys { for bucket in counts[key, default: [:]].keys { documentFrequency[bucket] += 1 } }
        let n = Float(keys.count)
        let idf = documentFrequency.map { log((1 + n) / (1 + $0)) + 1 }

        var matrix = Matrix(rows: keys.count, columns: dimensions)
        for (row, key) in keys.enumerated() {
            let share = Float(answers[key]!)
            for (bucket, count) in counts[key, default: [:]] {
                matrix[row, bucket] = log(1 + count / share) * idf[bucket]
            }
        }
        matrix.normalizeRows()
        // Centre each probe's documents on their mean.
        matrix.values.withUnsafeMutableBufferPointer { values in
            var start = 0
            while start < keys.count {
                var end = start
                while end < keys.count && keys[end].probe == keys[start].probe { end += 1 }
                var mean = [Float](repeating: 0, count: dimensions)
                for row in start..<end { for c in 0..<dimensions { mean[c] += values[row * dimensions + c] } }
                let size = Float(end - start)
                for c in 0..<dimensions { mean[c] /= size }
                for row in start..<end { for c in 0..<dimensions { values[row * dimensions + c] -= mean[c] } }
                start = end
            }
        }
        documents = matrix
        documentModel = keys.map(\.model)
        documentProbe = keys.map(\.probe)
        let modelsPerProbe = Dictionary(grouping: keys, by: \.probe).mapValues(\.count)
        let sharing = Set(keys.filter { modelsPerProbe[$0.probe]! > 1 }.map(\.model))
        let names = models
        isolated = names.indices.filter { !sharing.contains($0) }.map { names[$0] }
    }

    /// Distances over the probes listed (indices into `probes`; repeats count again, as a
    /// bootstrap draw needs).
    public func distances(probes drawn: [Int]) -> DistanceMatrix {
        var weight = [Float](repeating: 0, count: probes.count)
        for probe in drawn { weight[probe] += 1 }
        var selector = Matrix(rows: models.count, columns: documents.rows)
        for document in 0..<documents.rows {
            selector[documentModel[document], document] = weight[documentProbe[document]]
        }
        let profiles = selector.multiplied(by: documents).rowNormalized()
        return DistanceMatrix(names: models, cosines: profiles.gram())
    }

    /// Lower-cased word tokens (letters and digits), hashed (FNV-1a, stable across runs) into buckets.
    static func wordBuckets(_ text: String, dimensions: Int) -> [Int] {
        var buckets: [Int] = []
        var hash: UInt64 = 0xcbf29ce484222325
        var inWord = false
        for scalar in text.lowercased().unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                for byte in String(scalar).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
                inWord = true
            } else if inWord {
                buckets.append(Int(hash % UInt64(dimensions)))
                hash = 0xcbf29ce484222325
                inWord = false
            }
        }
        if inWord { buckets.append(Int(hash % UInt64(dimensions))) }
        return buckets
    }
}
