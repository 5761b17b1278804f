/// Every fingerprint of a set of models, one sparse row per (model, probe, turn): the vectors whose
/// cosines `FingerprintBuilder.similarities` computes, for uses that need the vectors themselves
/// (the lineage tree sums them into per-model profiles).
///
/// Unlike `similarities`, every probe that at least one of the models answered is kept, so models
/// answering different probe sets each get their rows. Each row is the builder's fingerprint of the
/// model's answers to that turn (samples averaged) scaled to unit length, so the dot product of two
/// rows of one probe and turn is their cosine. Document frequencies and style scales come from all
/// the answers kept; where every model answered every probe, that is the corpus `similarities` uses,
/// and a probe's row products averaged over its turns are its similarities.
public struct FingerprintRows: Sendable {
    /// Whose fingerprint a row is: indices into `models` and `probes`, and the turn.
    public struct Owner: Sendable, Hashable {
        public let model: Int
        public let probe: Int
        public let turn: Int
    }

    public let models: [String]
    /// Every probe some model answered, by probe ID; `turns` is the fewest any answer to it gave.
    public let probes: [ProbeSimilarities.Probe]
    /// The owner of each row, ordered by probe, turn and model; every model that answered a probe
    /// has a row for each of its turns.
    public let owners: [Owner]
    /// Columns of a full fingerprint row; `columns` index into it.
    public let width: Int
    /// Compressed sparse rows: row r's non-zero entries are `columns[rowStarts[r]..<rowStarts[r + 1]]`
    /// (ascending) and `values` at the same positions.
    public let rowStarts: [Int]
    public let columns: [Int32]
    public let values: [Float]
    /// What cleaning removed, by kind.
    public let cleaning: [String: Int]
    /// Responses used, per model.
    public let samples: [String: Int]

    /// Row r's non-zero entries.
    public func entries(ofRow r: Int) -> Zip2Sequence<ArraySlice<Int32>, ArraySlice<Float>> {
        let range = rowStarts[r]..<rowStarts[r + 1]
        return zip(columns[range], values[range])
    }
}

extension FingerprintBuilder {
    /// The fingerprint of every (model, probe, turn) that `models` answered, as sparse unit rows.
    /// Throws `FingerprintError` for a model named twice or without responses.
    public func fingerprintRows(of responses: [StoredResponse], models: [String]) throws -> FingerprintRows {
        let answers = try featurise(responses, models: models, keepingProbes: .answeredByAnyModel)
        let corpus = CorpusStatistics(documents: answers.corpus)
        let layout = FingerprintLayout(weights: weights)
        var owners: [FingerprintRows.Owner] = []
        var rowStarts = [0]
        var columns: [Int32] = []
        var values: [Float] = []
        var columnIndex = [Int32](repeating: -1, count: layout.columns)
        for (p, probeDocuments) in answers.documents.enumerated() {
            for (t, turnDocuments) in probeDocuments.enumerated() {
                for (m, samples) in turnDocuments.enumerated() where !samples.isEmpty {
                    // One model's row at a time, over the columns its own answers use.
                    let used = layout.usedColumns(by: samples, columnIndex: &columnIndex)
                    for (i, c) in used.enumerated() { columnIndex[c] = Int32(i) }
                    var fingerprint = Matrix(rows: 1, columns: used.count)
                    for document in samples {
                        layout.add(document, scaledBy: 1 / Float(samples.count), corpus: corpus, columnIndex: columnIndex, toRow: 0, of: &fingerprint)
                    }
                    for c in used { columnIndex[c] = -1 }
                    fingerprint.normalizeRows()
                    owners.append(.init(model: m, probe: p, turn: t))
                    for (c, value) in zip(used, fingerprint.values) where value != 0 {
                        columns.append(Int32(c))
                        values.append(value)
                    }
                    rowStarts.append(columns.count)
                }
            }
        }
        return FingerprintRows(models: models, probes: answers.probes, owners: owners, width: layout.columns, rowStarts: rowStarts,
                               columns: columns, values: values, cleaning: answers.cleaning, samples: answers.samples)
    }
}
