import Foundation

/// A multi-model comparison (`lineage tree`): every pairwise distance, the similarity heatmap's
/// matrix and the lineage tree with bootstrap support. Schema `lineage.comparison/v1`.
public struct ModelComparisonResult: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.comparison/v1"

    public var schema: String = ModelComparisonResult.schemaName
    public var question: String
    public var models: [String]
    /// What the distance measures, in words.
    public var distance: String
    public var distances: DistanceMatrix
    public var similarity: SimilarityMatrix
    public var tree: LineageTree
    public var newick: String
    /// Bootstrap replicates behind the support values (0: none).
    public var bootstrapReplicates: Int
    /// Distinct probes used (over all models).
    public var probes: Int
    /// Responses used, per model.
    public var samples: [String: Int]
    public var probeSets: [ProbeSetUsage]
    public var warnings: [String]
    public var dataQuality: DataQuality? = nil
    /// The root hash of the report's manifest, when the result was written as a report
    /// (`lineage verify` checks it against the manifest and the store).
    public var rootHash: String? = nil
    public var reproducibility: Reproducibility

    public init(question: String, models: [String], distance: String, distances: DistanceMatrix, tree: LineageTree,
                bootstrapReplicates: Int, probes: Int, samples: [String: Int], probeSets: [ProbeSetUsage],
                warnings: [String], reproducibility: Reproducibility) {
        self.question = question
        self.models = models
        self.distance = distance
        self.distances = distances
        self.similarity = distances.similarity
        self.tree = tree
        self.newick = tree.newick
        self.bootstrapReplicates = bootstrapReplicates
        self.probes = probes
        self.samples = samples
        self.probeSets = probeSets
        self.warnings = warnings
        self.reproducibility = reproducibility
    }
}
