import Foundation

/// Problems with the responses asked for, worded for the person who named the models.
public struct FingerprintError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Turns stored responses into per-probe similarities (`ProbeSimilarities`).
///
/// One pass cleans and featurises every answer turn of the named models on the probes all of them
/// answered; document frequencies (for TF-IDF) and style statistics come from that same corpus.
/// Then, probe by probe and turn by turn, the models' fingerprints are written as rows of one dense
/// Float32 matrix (a weighted, L2-normalised block per feature family; samples averaged), holding
/// only the columns some model uses there, and a single `sgemm` gives all their cosines.
public struct FingerprintBuilder: Sendable {
    public var weights: FingerprintWeights
    public var cleaner = ResponseCleaner()
    /// Told each probe as its answers are featurised and then compared.
    public var progress = WorkProgress.silent

    public init(weights: FingerprintWeights = FingerprintWeights()) {
        self.weights = weights
    }

    /// Whether each probe's fingerprint matrix holds only the columns some model uses on it (the
    /// union of non-zero columns), rather than all `FingerprintLayout.columns`: the same cosines
    /// (to Float rounding) from a small dense block.
    var compactColumns = true

    /// Whether to keep each family's own cosines (`ProbeSimilarities.familySimilarities`) beside the
    /// whole fingerprint's. Costs no extra flops: the whole cosine is assembled from the families'
    /// raw block products, one product per family instead of one per probe and turn.
    public var keepFamilies = false

    /// Models whose mean fingerprint on each probe (over those that answered it, the study's models
    /// among them) is subtracted from every study model's fingerprint before the cosines; their
    /// answers also enter the document frequencies. Empty: no centring.
    public var centringModels: [String] = []

    /// Time spent in, and floating-point operations of, the similarity products.
    public struct ProductTiming: Sendable {
        public var seconds: Double = 0
        /// Counted as 2n²k per `sgemm` of an n × k matrix by its transpose (the flops the kernel does; the
        /// useful half, one triangle, is n(n+1)k).
        public var flops: Double = 0
        public var products = 0
        public var columns = 0
        public init() {}
    }

    public func similarities(of responses: [StoredResponse], models: [String]) throws -> ProbeSimilarities {
        var timing = ProductTiming()
        return try similarities(of: responses, models: models, timing: &timing)
    }

    /// `similarities(of:models:)`, also timing the products.
    public func similarities(of responses: [StoredResponse], models: [String], timing: inout ProductTiming) throws -> ProbeSimilarities {
        let extra = centringModels.filter { !models.contains($0) }
        let studied = models.count
        var answers = try featurise(responses, models: models + extra, keepingProbes: extra.isEmpty ? .answeredByEveryModel : .answeredByAnyModel)
        if !extra.isEmpty {
            let kept = answers.documents.indices.filter { p in answers.documents[p].allSatisfy { turn in turn.prefix(studied).allSatisfy { !$0.isEmpty } } }
            answers.probes = kept.map { answers.probes[$0] }
            answers.documents = kept.map { answers.documents[$0] }
            // Samples of the study's models on the probes kept, as the uncentred path counts them.
            answers.samples = [:]
            for probe in answers.documents {
                for (m, samples) in (probe.first ?? []).prefix(studied).enumerated() { answers.samples[models[m], default: 0] += samples.count }
            }
        }
        let centring = !centringModels.isEmpty
        let probes = answers.probes, documents = answers.documents
        guard !probes.isEmpty else {
            throw FingerprintError(description: "no probe was answered by every model named (\(models.joined(separator: ", ")))")
        }

        let corpus = CorpusStatistics(documents: answers.corpus)
        let layout = FingerprintLayout(weights: weights)

        // Pass 2: per probe and turn, one compact matrix of fingerprints and one sgemm (one per family block
        // with `keepFamilies`). Probes are independent: chunks of them run on every core, gathered in order.
        struct ProbeOutcome: Sendable {
            var sum: Matrix
            var familySums: [FingerprintFamily: Matrix]
            var lengths: [Float]
            var claims: [[Bool]]
        }
        let families = IdentityLexicon.families.count
        let chunkCount = min(documents.count, 4 * ProcessInfo.processInfo.activeProcessorCount)
        let chunkSize = (documents.count + chunkCount - 1) / chunkCount
        let (keepFamilies, compactColumns) = (keepFamilies, compactColumns)
        let compared = progress.counter("comparing probe", of: documents.count)
        let chunks = try concurrentMap(chunkCount) { chunk -> (outcomes: [ProbeOutcome], timing: ProductTiming) in
            var timing = ProductTiming()
            var outcomes: [ProbeOutcome] = []
            // Column of the compact matrix for each layout column (-1: unused on this probe and turn).
            var columnIndex = [Int32](repeating: -1, count: layout.columns)
            for probeDocuments in documents[min(documents.count, chunk * chunkSize)..<min(documents.count, (chunk + 1) * chunkSize)] {
                defer { compared.advance() }
                var sum = Matrix(rows: models.count, columns: models.count)
                var familySums: [FingerprintFamily: Matrix] = [:]
                var lengths = [Float](repeating: 0, count: models.count + extra.count)
                var claims = [[Bool]](repeating: [Bool](repeating: false, count: families), count: models.count + extra.count)
                for turnDocuments in probeDocuments {
                    let used = compactColumns ? layout.usedColumns(by: turnDocuments.joined(), columnIndex: &columnIndex)
                                              : Array(0..<layout.columns)
                    for (i, c) in used.enumerated() { columnIndex[c] = Int32(i) }
                    var fingerprints = Matrix(rows: turnDocuments.count, columns: used.count)
                    for (m, sampleDocuments) in turnDocuments.enumerated() where !sampleDocuments.isEmpty {
                        let share = 1 / Float(sampleDocuments.count)
                        for document in sampleDocuments {
                            layout.add(document, scaledBy: share, corpus: corpus, columnIndex: columnIndex, toRow: m, of: &fingerprints)
                            lengths[m] += log1p(Float(document.length)) * share / Float(probeDocuments.count)
                            for f in 0..<families where document.identity[f] > 0 { claims[m][f] = true }
                        }
                    }
                    for c in used { columnIndex[c] = -1 }
                    let n = models.count
                    if centring { fingerprints = Self.centred(fingerprints, on: turnDocuments.map { !$0.isEmpty }, keepingRows: n) }
                    let start = DispatchTime.now().uptimeNanoseconds
                    var gram: Matrix
                    if keepFamilies {
                        // One raw product per family block; the whole fingerprint's cosine is their sum over
                        // the rows' norms (the same number as normalising whole rows first).
                        gram = Matrix(rows: n, columns: n)
                        for (family, range) in layout.blocks(in: used) {
                            let block = fingerprints.gram(ofColumns: range)
                            for i in gram.values.indices { gram.values[i] += block.values[i] }
                            if FingerprintFamily.views.contains(family) {
                                familySums[family, default: Matrix(rows: n, columns: n)].add(block.cosines(), scaledBy: 1 / Float(probeDocuments.count))
                            }
                        }
                        gram = gram.cosines()
                    } else {
                        fingerprints.normalizeRows()
                        // sgemm beats ssyrk on these small blocks (fewer, larger kernel calls) despite twice the flops;
                        // the upper triangle is mirrored so that the matrix is exactly symmetric, as gram() gives it.
                        gram = fingerprints.multiplied(by: fingerprints, transposeOther: true)
                        for i in 0..<n { for j in 0..<i { gram.values[i * n + j] = gram.values[j * n + i] } }
                    }
                    timing.seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    timing.flops += 2 * Double(models.count) * Double(models.count) * Double(used.count)
                    timing.products += 1
                    timing.columns += used.count
                    for i in sum.values.indices { sum.values[i] += gram.values[i] / Float(probeDocuments.count) }
                }
                outcomes.append(ProbeOutcome(sum: sum, familySums: familySums, lengths: Array(lengths.prefix(models.count)),
                                             claims: Array(claims.prefix(models.count))))
            }
            return (outcomes, timing)
        }
        var similarities: [Matrix] = []
        var familySimilarities: [FingerprintFamily: [Matrix]] = [:]
        var logLengths: [[Float]] = []
        var identityClaims: [[[Bool]]] = []
        for chunk in chunks {
            timing.seconds += chunk.timing.seconds
            timing.flops += chunk.timing.flops
            timing.products += chunk.timing.products
            timing.columns += chunk.timing.columns
            for outcome in chunk.outcomes {
                similarities.append(outcome.sum)
                for family in FingerprintFamily.views where keepFamilies {
                    familySimilarities[family, default: []].append(outcome.familySums[family] ?? Matrix(rows: models.count, columns: models.count))
                }
                logLengths.append(outcome.lengths)
                identityClaims.append(outcome.claims)
            }
        }
        var result = ProbeSimilarities(models: models, probes: probes, similarities: similarities, logLengths: logLengths,
                                       identityClaims: identityClaims, cleaning: answers.cleaning, samples: answers.samples)
        result.familySimilarities = familySimilarities
        return result
    }
}

extension FingerprintBuilder {
    /// The first `keepingRows` rows of `matrix`, each minus the mean of the rows marked `present`,
    /// summed in row order.
    static func centred(_ matrix: Matrix, on present: [Bool], keepingRows n: Int) -> Matrix {
        let columns = matrix.columns
        var out = Matrix(rows: n, columns: columns, values: Array(matrix.values[0..<(n * columns)]))
        var mean = [Float](repeating: 0, count: columns)
        let count = present.filter { $0 }.count
        guard count > 0 else { return out }
        for r in 0..<matrix.rows where present[r] {
            for c in 0..<columns { mean[c] += matrix.values[r * columns + c] }
        }
        for c in 0..<columns { mean[c] /= Float(count) }
        for r in 0..<n { for c in 0..<columns { out.values[r * columns + c] -= mean[c] } }
        return out
    }
}

/// The cleaned, featurised answer turns of a set of models (pass 1 of the builder).
struct FeaturisedAnswers {
    enum ProbeSelection { case answeredByEveryModel, answeredByAnyModel }

    var probes: [ProbeSimilarities.Probe] = []
    /// `documents[probe][turn][model][sample]`; a model that did not answer a probe has no samples there.
    var documents: [[[[TextFeatures]]]] = []
    var cleaning: [String: Int] = [:]
    var samples: [String: Int] = [:]

    /// Every document, the corpus that document frequencies and style scales come from.
    var corpus: [TextFeatures] { documents.flatMap { $0.flatMap { $0.flatMap { $0 } } } }
}

extension FingerprintBuilder {
    /// Cleans and featurises every answer turn of `models` on the probes selected, counting removals and samples.
    /// A probe's turns are the fewest any of its answers gave (and no more than the probe has).
    func featurise(_ responses: [StoredResponse], models: [String], keepingProbes selection: FeaturisedAnswers.ProbeSelection) throws -> FeaturisedAnswers {
        guard !models.isEmpty else { throw FingerprintError(description: "no models named") }
        guard Set(models).count == models.count else {
            throw FingerprintError(description: "a model is named twice: \(models.joined(separator: ", "))")
        }
        let modelIndex = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) })
        var byProbe: [Int64: [[StoredResponse]]] = [:]
        var seenContent = Set<String>()
        for response in responses {
            guard let m = modelIndex[response.model] else { continue }
            // Identical (model, probe, content) duplicates count once.
            guard seenContent.insert(response.model + "\u{0}" + response.contentHash).inserted else { continue }
            byProbe[response.probeID, default: [[StoredResponse]](repeating: [], count: models.count)][m].append(response)
        }
        for (m, model) in models.enumerated() where !byProbe.values.contains(where: { !$0[m].isEmpty }) {
            throw FingerprintError(description: "the store has no successful responses of model '\(model)'")
        }
        let probeIDs = byProbe.keys.sorted().filter { id in
            switch selection {
            case .answeredByEveryModel: byProbe[id]!.allSatisfy { !$0.isEmpty }
            case .answeredByAnyModel: true
            }
        }

        // Each probe's answers are featurised on their own (on every core), then gathered in probe order.
        let cleaner = cleaner, groups = byProbe
        let read = progress.counter("reading answers to probe", of: probeIDs.count)
        let featurised = try concurrentMap(probeIDs.count) { index -> (documents: [[[TextFeatures]]], removals: [String])? in
            defer { read.advance() }
            let perModel = groups[probeIDs[index]]!
            let first = perModel.first { !$0.isEmpty }![0]
            let turns = min(first.probe.turns.count, perModel.flatMap { $0 }.map(\.turns.count).min() ?? 0)
            guard turns > 0 else { return nil }
            var probeDocuments: [[[TextFeatures]]] = []
            var removed: [String] = []
            var counter = ASCIIFeaturiser.Counter()
            for t in 0..<turns {
                let prompt = first.probe.turns[t]
                let context = CachedFeatures.context(of: first.probe, through: t)
                var turnDocuments: [[TextFeatures]] = []
                for responses in perModel {
                    var samples: [TextFeatures] = []
                    for response in responses {
                        // The store's cached first pass when it has one; otherwise the same computation here.
                        let (features, removals) = if let cached = response.features, t < cached.turns.count {
                            (cached.turns[t], cached.removals[t])
                        } else {
                            CachedFeatures.turn(response.turns[t], prompt: prompt, context: context, cleaner: cleaner, counter: &counter)
                        }
                        removed.append(contentsOf: removals.map(\.rawValue))
                        samples.append(features)
                    }
                    turnDocuments.append(samples)
                }
                probeDocuments.append(turnDocuments)
            }
            return (probeDocuments, removed)
        }
        var answers = FeaturisedAnswers()
        for (id, probe) in zip(probeIDs, featurised) {
            guard let probe else { continue }
            let perModel = byProbe[id]!
            let first = perModel.first { !$0.isEmpty }![0]
            for removal in probe.removals { answers.cleaning[removal, default: 0] += 1 }
            for (m, responses) in perModel.enumerated() where !responses.isEmpty { answers.samples[models[m], default: 0] += responses.count }
            answers.probes.append(.init(probeID: id, probeHash: first.probeHash, turns: probe.documents.count))
            answers.documents.append(probe.documents)
        }
        return answers
    }
}

/// Document frequencies and style statistics of the corpus a study compares.
struct CorpusStatistics {
    var wordIDF: [Float]
    var characterIDF: [Float]
    var openingIDF: [Float]
    var styleMean: [Float]
    var styleScale: [Float]

    /// One serial pass over the documents for the counts and the style sums, reading each document in
    /// place (no copy of its arrays): every sum runs over the documents in order, as a per-column
    /// reduce would, so the statistics are the same bit for bit.
    init(documents: [TextFeatures]) {
        var words = [Float](repeating: 0, count: TextFeatures.wordBuckets)
        var characters = [Float](repeating: 0, count: TextFeatures.characterBuckets)
        var openings = [Float](repeating: 0, count: TextFeatures.openingBuckets)
        let columns = TextFeatures.styleNames.count
        var sums = [Float](repeating: 0, count: columns)
        documents.withUnsafeBufferPointer { documents in
            for d in documents.indices {
                for bucket in documents[d].words.buckets { words[Int(bucket)] += 1 }
                for bucket in documents[d].characters.buckets { characters[Int(bucket)] += 1 }
                for bucket in documents[d].openings.buckets { openings[Int(bucket)] += 1 }
                for c in 0..<columns { sums[c] = sums[c] + documents[d].style[c] }
            }
        }
        let n = Float(documents.count)
        func idf(_ frequency: [Float]) -> [Float] { frequency.map { log((1 + n) / (1 + $0)) + 1 } }
        wordIDF = idf(words)
        characterIDF = idf(characters)
        openingIDF = idf(openings)
        let count = Float(max(1, documents.count))
        let means = sums.map { $0 / count }
        var squares = [Float](repeating: 0, count: columns)
        documents.withUnsafeBufferPointer { documents in
            for d in documents.indices {
                for c in 0..<columns { squares[c] = squares[c] + pow(documents[d].style[c] - means[c], 2) }
            }
        }
        styleMean = means
        styleScale = squares.map { sum in
            let variance = sum / count
            return variance > 1e-12 ? 1 / variance.squareRoot() : 0
        }
    }
}

/// Where each feature family sits in a fingerprint row, and how a document is written into it.
struct FingerprintLayout {
    let weights: FingerprintWeights
    let wordOffset = 0
    let characterOffset = TextFeatures.wordBuckets
    let openingOffset = TextFeatures.wordBuckets + TextFeatures.characterBuckets
    let styleOffset = TextFeatures.wordBuckets + TextFeatures.characterBuckets + TextFeatures.openingBuckets
    var markerOffset: Int { styleOffset + TextFeatures.styleNames.count }
    var identityOffset: Int { markerOffset + TextFeatures.markerPhrases.count }
    var columns: Int { identityOffset + IdentityLexicon.families.count }

    init(weights: FingerprintWeights) {
        self.weights = weights
    }

    /// Where each family's columns start in a fingerprint row.
    func offset(of family: FingerprintFamily) -> Int {
        switch family {
        case .words: wordOffset
        case .characters: characterOffset
        case .openings: openingOffset
        case .style: styleOffset
        case .markers: markerOffset
        case .identity: identityOffset
        }
    }

    /// The sorted layout columns that `documents` can make non-zero: every dense column, and each
    /// bucket of a weighted sparse family that some document uses. `columnIndex` must be -1 for every
    /// column on entry; the columns returned are left marked (0) in it, for the caller to number and reset.
    func usedColumns(by documents: some Sequence<TextFeatures>, columnIndex: inout [Int32]) -> [Int] {
        var low = Int.max, high = -1, marked = 0
        func mark(_ counts: SparseCounts, offset: Int, weight: Float) {
            guard weight > 0, let first = counts.buckets.first, let last = counts.buckets.last else { return }
            low = min(low, offset + Int(first))
            high = max(high, offset + Int(last))
            for bucket in counts.buckets where columnIndex[offset + Int(bucket)] < 0 {
                columnIndex[offset + Int(bucket)] = 0
                marked += 1
            }
        }
        for document in documents {
            mark(document.words, offset: wordOffset, weight: weights.words)
            mark(document.characters, offset: characterOffset, weight: weights.characters)
            mark(document.openings, offset: openingOffset, weight: weights.openings)
        }
        // The sparse columns marked, in increasing order (read off the index rather than sorted), then the
        // dense families' columns, which follow every sparse one.
        var used: [Int] = []
        used.reserveCapacity(marked + columns - styleOffset)
        if high >= 0 {
            columnIndex.withUnsafeBufferPointer { index in
                for column in low...high where index[column] == 0 { used.append(column) }
            }
        }
        used.append(contentsOf: styleOffset..<columns)
        return used
    }

    /// Each family's columns within a compact matrix whose columns are the sorted layout columns `used`.
    func blocks(in used: [Int]) -> [(FingerprintFamily, Range<Int>)] {
        func firstIndex(atOrAfter column: Int) -> Int {
            var low = 0, high = used.count
            while low < high {
                let mid = (low + high) / 2
                if used[mid] < column { low = mid + 1 } else { high = mid }
            }
            return low
        }
        let families = FingerprintFamily.allCases
        return families.enumerated().map { i, family in
            let end = i + 1 < families.count ? offset(of: families[i + 1]) : columns
            return (family, firstIndex(atOrAfter: offset(of: family))..<firstIndex(atOrAfter: end))
        }
    }

    /// Adds `scale` × the document's fingerprint (each block TF-IDF-weighted or standardised,
    /// L2-normalised, times its family weight) to row `row` of `matrix`.
    /// `columnIndex` maps each layout column to its column of `matrix` (a compact matrix holds
    /// only the columns in use).
    func add(_ document: TextFeatures, scaledBy scale: Float, corpus: CorpusStatistics, columnIndex: [Int32], toRow row: Int,
             of matrix: inout Matrix) {
        let base = row * matrix.columns
        func addSparse(_ counts: SparseCounts, idf: [Float], offset: Int, weight: Float) {
            guard weight > 0, !counts.isEmpty else { return }
            var values = [Float]()
            values.reserveCapacity(counts.count)
            var norm: Float = 0
            // In bucket order, so that sums run in one order and a result is reproducible to the last bit.
            for (bucket, count) in zip(counts.buckets, counts.counts) {
                let value = (1 + log(count)) * idf[Int(bucket)]
                values.append(value)
                norm += value * value
            }
            let factor = scale * weight / norm.squareRoot()
            for (bucket, value) in zip(counts.buckets, values) { matrix.values[base + Int(columnIndex[offset + Int(bucket)])] += value * factor }
        }
        func addDense(_ values: [Float], offset: Int, weight: Float) {
            let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard weight > 0, norm > 0 else { return }
            for (i, value) in values.enumerated() { matrix.values[base + Int(columnIndex[offset + i])] += value * scale * weight / norm }
        }
        addSparse(document.words, idf: corpus.wordIDF, offset: wordOffset, weight: weights.words)
        addSparse(document.characters, idf: corpus.characterIDF, offset: characterOffset, weight: weights.characters)
        addSparse(document.openings, idf: corpus.openingIDF, offset: openingOffset, weight: weights.openings)
        addDense(zip(document.style.indices, document.style).map { c, value in (value - corpus.styleMean[c]) * corpus.styleScale[c] },
                 offset: styleOffset, weight: weights.style)
        addDense(document.markers, offset: markerOffset, weight: weights.markers)
        addDense(document.identity, offset: identityOffset, weight: weights.identity)
    }
}
