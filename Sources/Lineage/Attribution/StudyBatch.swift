import Foundation

/// Many attribution studies over one store in one pass: the fingerprints of every model any study
/// names are built once, and each study reads its own models' cosines from them
/// (`ProbeSimilarities.restricted`). A study whose models share more probes than the whole batch does
/// gets its own featurisation, so that no study loses probes to another's gaps.
///
/// The cosines of a batch come from one corpus (IDF and style scales over every model it names), so
/// they can differ in the last digits from a lone study's; a batch of one study is that study exactly.
public enum StudyBatch {
    public static func run(_ studies: [AttributionOptions], responses: [StoredResponse], catalog: ProbeCatalog = ProbeCatalog(),
                           referenceMean: Bool = false, command: String = "", store: String = "",
                           progress: WorkProgress = .silent) throws -> [AttributionResult] {
        guard let first = studies.first else { return [] }
        for options in studies { try options.validate() }
        var union: [String] = []
        var seen = Set<String>()
        for options in studies { for model in options.models where seen.insert(model).inserted { union.append(model) } }
        var probesByModel: [String: Set<Int64>] = [:]
        for response in responses where seen.contains(response.model) { probesByModel[response.model, default: []].insert(response.probeID) }
        let probeSets = probesByModel
        @Sendable func common(_ models: [String]) -> Int {
            models.dropFirst().reduce(probeSets[models[0]] ?? []) { $0.intersection(probeSets[$1] ?? []) }.count
        }
        // With centring, every model of the responses given is in the centre.
        var pool: [String] = []
        if studies.contains(where: \.centreOnPool) {
            var inPool = Set<String>()
            for response in responses where inPool.insert(response.model).inserted { pool.append(response.model) }
            pool.sort()
        }
        let centringPool = pool
        var builder = FingerprintBuilder(weights: first.weights)
        builder.keepFamilies = first.familyViews
        builder.centringModels = first.centreOnPool ? centringPool : []
        builder.progress = progress
        let shared: ProbeSimilarities? = studies.count > 1 && studies.allSatisfy({ $0.weights == first.weights && $0.familyViews == first.familyViews
                                                                                    && $0.centreOnPool == first.centreOnPool })
            ? try? builder.similarities(of: responses, models: union) : nil
        // Studies are independent: they run on every core, each on one BLAS thread, results in order.
        // One study alone reports its own steps; a batch reports studies done.
        let single = studies.count == 1 ? progress : .silent
        let done = (studies.count > 1 ? progress : .silent).counter("study", of: studies.count)
        // Studies of one seed and probe count share their bootstrap weights (the same numbers each would draw).
        let draws = studies.count > 1 ? ResamplingDraws() : nil
        return try concurrentMap(studies.count) { index in
            defer { done.advance() }
            var options = studies[index]
            if options.draws == nil { options.draws = draws }
            let all: ProbeSimilarities
            if let shared, shared.probes.count == common(options.models) {
                all = shared.restricted(to: options.models)
            } else {
                var own = FingerprintBuilder(weights: options.weights)
                own.keepFamilies = options.familyViews
                own.centringModels = options.centreOnPool ? centringPool : []
                own.progress = single
                all = try own.similarities(of: responses, models: options.models)
            }
            if referenceMean || options.references.count == 1 || options.referenceMaxT {
                return try AttributionStudy.analyse(options: options, similarities: all, catalog: catalog, command: command, store: store)
            }
            return try AttributionStudy.analyseEachReference(options: options, similarities: all, catalog: catalog, command: command, store: store,
                                                             progress: single)
        }
    }
}
