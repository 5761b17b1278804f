import Foundation

/// Where a lineage tree's distances come from: any per-model distance that can be recomputed on
/// a resampled list of probes (for bootstrap support).
public protocol ModelDistanceSource: Sendable {
    /// What the distance measures, in words (printed in reports).
    var description: String { get }
    var models: [String] { get }
    /// The items a bootstrap resamples (probe content hashes).
    var probes: [String] { get }
    /// Responses used per model.
    var samples: [String: Int] { get }
    /// Distances over the probes listed by index into `probes`; repeats count again.
    func distances(probes: [Int]) -> DistanceMatrix
    /// Warnings about the data behind the distances, for the report.
    var warnings: [String] { get }
    /// Models that share no probe with any other model: their distances mean nothing, so the tree leaves them out.
    var isolated: [String] { get }
}

extension ModelDistanceSource {
    public var warnings: [String] { [] }
    public var isolated: [String] { [] }
}

extension FingerprintDistance: ModelDistanceSource {
    public var description: String { Self.description }
    public var warnings: [String] { ModelComparison.warnings(isolated: isolated) }
}

extension WordProfileDistance: ModelDistanceSource {
    public var description: String { Self.description }
    public var warnings: [String] { ModelComparison.warnings(isolated: isolated) }
}

/// A multi-model comparison: distances, a tree, bootstrap support.
public enum ModelComparison {
    /// The warning for models that share no probe with another model (a profile distance puts them at 1 from everyone).
    static func warnings(isolated: [String]) -> [String] {
        isolated.map { "\($0) answered no probe that another model answered: its distance to every model is 1, so it is left out of the tree (any place there would mean nothing)" }
    }

    public static func compare(_ source: ModelDistanceSource, method: TreeBuilder.Method = .neighborJoining,
                               replicates: Int = 100, seed: UInt64, probeSets: [ProbeSetUsage] = [],
                               reproducibility: Reproducibility, progress: WorkProgress = .silent) -> ModelComparisonResult {
        let all = Array(source.probes.indices)
        let distances = source.distances(probes: all)
        // A model that shares no probe with another has no place in the tree: drawing one would give it a split with full support.
        let isolated = Set(source.isolated)
        let kept = distances.names.indices.filter { !isolated.contains(distances.names[$0]) }
        let treeDistances: ([Int]) -> DistanceMatrix
        if kept.count == distances.names.count || kept.count < 2 {
            treeDistances = { probes in source.distances(probes: probes) }
        } else {
            treeDistances = { probes in
                let full = source.distances(probes: probes)
                return DistanceMatrix(names: kept.map { full.names[$0] }, values: kept.map { i in kept.map { j in full.values[i][j] } })
            }
        }
        let tree = TreeBuilder.bootstrapped(items: all, replicates: replicates, seed: seed, method: method, progress: progress,
                                            distances: treeDistances)
        var warnings = source.warnings
        let typical = source.samples.isEmpty ? 0 : source.samples.values.sorted()[source.samples.count / 2]
        for (model, count) in source.samples.sorted(by: { $0.key < $1.key }) where count * 4 < typical {
            warnings.append("\(model) has only \(count) responses (typical: \(typical)); its place in the tree is uncertain")
        }
        if source.models.count < 3 { warnings.append("a tree needs at least 3 models to say anything about grouping") }
        return ModelComparisonResult(
            question: "Which of these \(source.models.count) models answer alike, and how do they group?",
            models: source.models, distance: source.description, distances: distances, tree: tree,
            bootstrapReplicates: replicates, probes: source.probes.count, samples: source.samples,
            probeSets: probeSets, warnings: warnings, reproducibility: reproducibility)
    }
}
