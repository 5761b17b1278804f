import Foundation

/// The lineage tree's distance on the full fingerprint, the one `lineage similarity` and
/// `lineage attribute` use: the cosine distance between per-model profiles of probe-centred
/// fingerprints.
///
/// A (model, probe) row is the mean over the probe's turns of the model's fingerprint rows
/// (`FingerprintRows`: word and character TF-IDF, openings, style, markers and identity blocks,
/// weighted, samples averaged, unit length). Each probe's rows are centred on their mean across
/// the models that answered it, which removes what the prompt dictates (its topic words, the
/// length and format it asks for); what is left is how each model answers differently from the
/// others, and that can be summed across probes, so models answering different probe sets still
/// compare. A model's profile is the sum of its centred rows over the probes drawn (a probe drawn
/// twice counts twice); distance = 1 − cosine of two profiles, in [0, 2]. Cosine, not Euclidean
/// distance, so that a model answering more probes is not farther from everyone for that reason.
///
/// A bootstrap replicate only re-weights the rows: profile = Σₚ wₚ rowₚ − Σₚ wₚ meanₚ, one sparse
/// weighted sum and one matrix product, with no re-featurisation.
public struct FingerprintDistance: Sendable {
    public static let description = "cosine distance of probe-centred fingerprint profiles (word and character TF-IDF, openings, style, markers, identity: the fingerprint of lineage similarity and attribute)"

    public let models: [String]
    /// Probe content hashes: the items a bootstrap resamples.
    public let probes: [String]
    /// Responses used per model.
    public let samples: [String: Int]
    /// Models that share no probe with any other model: their profile is empty, so they sit at
    /// distance 1 from everyone.
    public let isolated: [String]
    /// Per (model, probe) rows over the compact columns (those some row uses), compressed sparse rows,
    /// leaving out probes only one model answered (their centred row is zero).
    let rowModel: [Int]
    let rowProbe: [Int]
    let rowStarts: [Int]
    let rowColumns: [Int32]
    let rowValues: [Float]
    /// Probes × compact columns: each probe's mean row over the models that answered it.
    let probeMeans: Matrix

    public init(responses: [StoredResponse], builder: FingerprintBuilder = FingerprintBuilder()) throws {
        models = Array(Set(responses.map(\.model))).sorted()
        let fingerprints = try builder.fingerprintRows(of: responses, models: models)
        probes = fingerprints.probes.map(\.probeHash)
        samples = fingerprints.samples

        var answering = [[Int]](repeating: [], count: probes.count)
        for owner in fingerprints.owners where owner.turn == 0 { answering[owner.probe].append(owner.model) }
        let sharing = Set(answering.filter { $0.count > 1 }.joined())
        let names = models
        isolated = names.indices.filter { !sharing.contains($0) }.map { names[$0] }

        var compact = [Int32](repeating: -1, count: fingerprints.width)
        var width = 0
        for column in fingerprints.columns where compact[Int(column)] < 0 {
            compact[Int(column)] = Int32(width)
            width += 1
        }

        // Merge each (model, probe)'s turn rows into their mean, and each probe's merged rows into their mean.
        var rowsOf: [[Int: [Int]]] = Array(repeating: [:], count: probes.count)   // probe → model → its turn rows
        for (r, owner) in fingerprints.owners.enumerated() where answering[owner.probe].count > 1 {
            rowsOf[owner.probe][owner.model, default: []].append(r)
        }
        var rowModel: [Int] = [], rowProbe: [Int] = [], rowStarts = [0], rowColumns: [Int32] = [], rowValues: [Float] = []
        var means = Matrix(rows: probes.count, columns: width)
        var scratch = [Float](repeating: 0, count: width)
        var touched: [Int] = [], isTouched = [Bool](repeating: false, count: width)
        fingerprints.columns.withUnsafeBufferPointer { columns in
            fingerprints.values.withUnsafeBufferPointer { values in
                for p in fingerprints.probes.indices {
                    let turns = Float(fingerprints.probes[p].turns)
                    let modelsHere = Float(answering[p].count)
                    for m in rowsOf[p].keys.sorted() {
                        for r in rowsOf[p][m]! {
                            for k in fingerprints.rowStarts[r]..<fingerprints.rowStarts[r + 1] {
                                let c = Int(compact[Int(columns[k])])
                                if !isTouched[c] { touched.append(c); isTouched[c] = true }
                                scratch[c] += values[k] / turns
                            }
                        }
                        for c in touched {
                            if scratch[c] != 0 {
                                rowColumns.append(Int32(c))
                                rowValues.append(scratch[c])
                                means[p, c] += scratch[c] / modelsHere
                            }
                            scratch[c] = 0
                            isTouched[c] = false
                        }
                        touched.removeAll(keepingCapacity: true)
                        rowModel.append(m)
                        rowProbe.append(p)
                        rowStarts.append(rowColumns.count)
                    }
                }
            }
        }
        self.rowModel = rowModel
        self.rowProbe = rowProbe
        self.rowStarts = rowStarts
        self.rowColumns = rowColumns
        self.rowValues = rowValues
        probeMeans = means
    }

    /// The models' profiles (models × compact columns) with each probe weighted by how often `drawn` lists it.
    func profiles(probes drawn: [Int]) -> Matrix {
        var weight = [Float](repeating: 0, count: probes.count)
        for probe in drawn { weight[probe] += 1 }
        // −Σₚ wₚ meanₚ for each model over the probes it answered, as (models × probes) · means; then + Σₚ wₚ rowₚ.
        var selector = Matrix(rows: models.count, columns: probes.count)
        for (m, p) in zip(rowModel, rowProbe) { selector[m, p] = -weight[p] }
        var profiles = selector.multiplied(by: probeMeans)
        guard !rowValues.isEmpty else { return profiles }
        let width = probeMeans.columns
        profiles.values.withUnsafeMutableBufferPointer { target in
            rowColumns.withUnsafeBufferPointer { columns in
                rowValues.withUnsafeBufferPointer { values in
                    // Unchecked pointers: this loop is most of a replicate's work.
                    let (target, columns, values) = (target.baseAddress!, columns.baseAddress!, values.baseAddress!)
                    for row in rowModel.indices where weight[rowProbe[row]] > 0 {
                        let w = weight[rowProbe[row]]
                        let profile = target + rowModel[row] * width
                        for k in rowStarts[row]..<rowStarts[row + 1] { profile[Int(columns[k])] += w * values[k] }
                    }
                }
            }
        }
        return profiles
    }

    /// Distances over the probes listed (indices into `probes`; repeats count again, as a
    /// bootstrap draw needs).
    public func distances(probes drawn: [Int]) -> DistanceMatrix {
        DistanceMatrix(names: models, cosines: profiles(probes: drawn).gram().cosines())
    }
}
