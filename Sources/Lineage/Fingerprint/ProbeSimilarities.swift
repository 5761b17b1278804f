import Foundation

/// Per-probe similarities of a set of models: the input of every attribution test.
///
/// For each probe answered by every model, an M×M matrix of fingerprint cosines (averaged over the
/// probe's turns; several samples of a (model, probe) are averaged into one fingerprint first), the
/// models' mean log answer length, and which makers each model claimed to be.
public struct ProbeSimilarities: Sendable {
    public struct Probe: Sendable, Equatable {
        public var probeID: Int64
        public var probeHash: String
        /// Assistant turns compared (the fewest any model gave).
        public var turns: Int
    }

    public let models: [String]
    public let probes: [Probe]
    /// `similarities[p]` is the models × models cosine matrix of probe p.
    public var similarities: [Matrix]
    /// `logLengths[p][m]`: mean log(1 + characters) of model m's cleaned answers to probe p.
    public let logLengths: [[Float]]
    /// `identityClaims[p][m][f]`: model m claimed family f (`IdentityLexicon.families`) in an answer to probe p.
    public let identityClaims: [[[Bool]]]
    /// Each view family's own per-probe cosines (`FingerprintFamily.views`), when the builder kept
    /// them (`FingerprintBuilder.keepFamilies`); empty otherwise.
    public var familySimilarities: [FingerprintFamily: [Matrix]] = [:]
    /// What cleaning removed, by kind.
    public let cleaning: [String: Int]
    /// Responses used, per model.
    public let samples: [String: Int]

    public init(models: [String], probes: [Probe], similarities: [Matrix], logLengths: [[Float]],
                identityClaims: [[[Bool]]], cleaning: [String: Int], samples: [String: Int]) {
        self.models = models
        self.probes = probes
        self.similarities = similarities
        self.logLengths = logLengths
        self.identityClaims = identityClaims
        self.cleaning = cleaning
        self.samples = samples
    }

    /// Probe-by-probe similarity of models `a` and `b`.
    public func series(_ a: Int, _ b: Int) -> [Double] {
        similarities.map { Double($0[a, b]) }
    }

    /// The mean over probes: the model-level similarity matrix.
    public var meanSimilarity: SimilarityMatrix {
        let m = models.count
        var values = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for matrix in similarities {
            for i in 0..<m { for j in 0..<m { values[i][j] += Double(matrix[i, j]) } }
        }
        let count = Double(max(1, similarities.count))
        return SimilarityMatrix(models: models, values: values.map { $0.map { $0 / count } })
    }
}

extension ProbeSimilarities {
    /// The same probes' similarities among `subset` of the models (in `subset`'s order): the cosines
    /// are unchanged, so several studies of overlapping panels share one featurisation.
    public func restricted(to subset: [String]) -> ProbeSimilarities {
        let index = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) })
        let rows = subset.map { index[$0]! }
        let k = rows.count
        func slice(_ m: Matrix) -> Matrix {
            let values = [Float](unsafeUninitializedCapacity: k * k) { out, count in
                m.values.withUnsafeBufferPointer { source in
                    for (i, a) in rows.enumerated() {
                        let from = a * m.columns
                        for (j, b) in rows.enumerated() { out[i * k + j] = source[from + b] }
                    }
                }
                count = k * k
            }
            return Matrix(rows: k, columns: k, values: values)
        }
        var result = ProbeSimilarities(models: subset, probes: probes, similarities: similarities.map(slice),
                                       logLengths: logLengths.map { l in rows.map { l[$0] } },
                                       identityClaims: identityClaims.map { c in rows.map { c[$0] } },
                                       cleaning: cleaning, samples: samples.filter { subset.contains($0.key) })
        result.familySimilarities = familySimilarities.mapValues { $0.map(slice) }
        return result
    }
}
