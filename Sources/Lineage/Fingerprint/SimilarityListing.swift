import Foundation

/// What `lineage similarity --json` prints (schema lineage.similarity/v1).
public struct SimilarityListing: Codable, Sendable, Equatable {
    public var schema = "lineage.similarity/v1"
    public var store: String
    /// Probes answered by every model compared.
    public var probes: Int
    public var lengthAdjusted: Bool
    public var cleaning: [String: Int]
    /// Models left out because they have no successful response.
    public var leftOut: [String]
    public var similarity: SimilarityMatrix

    public init(store: String, probes: Int, lengthAdjusted: Bool, cleaning: [String: Int], leftOut: [String], similarity: SimilarityMatrix) {
        self.store = store
        self.probes = probes
        self.lengthAdjusted = lengthAdjusted
        self.cleaning = cleaning
        self.leftOut = leftOut
        self.similarity = similarity
    }
}
