import Foundation

/// Symmetric pairwise distances between named models: what a lineage tree is built from.
public struct DistanceMatrix: Codable, Sendable, Equatable {
    public var names: [String]
    /// Row-major, `names.count` × `names.count`, symmetric, zero diagonal.
    public var values: [[Double]]

    public init(names: [String], values: [[Double]]) {
        precondition(values.count == names.count && values.allSatisfy { $0.count == names.count },
                     "a distance matrix needs one row and one column per name")
        self.names = names
        self.values = values
    }

    /// Cosine distances `1 − cos`, clamped to [0, 2] against rounding, from a matrix of cosines.
    init(names: [String], cosines: Matrix) {
        self.init(names: names, values: names.indices.map { i in
            names.indices.map { j in i == j ? 0 : min(2, max(0, 1 - Double(cosines[i, j]))) }
        })
    }

    public var count: Int { names.count }

    public subscript(i: Int, j: Int) -> Double { values[i][j] }

    /// Similarities `1 - d`, for the heatmap (cosine distance ↔ cosine similarity).
    public var similarity: SimilarityMatrix {
        SimilarityMatrix(models: names, values: values.map { row in row.map { 1 - $0 } })
    }
}
