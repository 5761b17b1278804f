import Foundation

/// Hashed feature counts of one document, as parallel arrays sorted by bucket: built once by the
/// featuriser and then read in order (document frequencies, the columns in use, the TF-IDF row),
/// so no reader hashes or sorts again. Sorted order also fixes the order of every sum over them.
public struct SparseCounts: Sendable, Equatable {
    /// Bucket indices, strictly increasing.
    public private(set) var buckets: [Int32]
    /// The count of each bucket, in the same order; every one is positive.
    public private(set) var counts: [Float]

    public init() {
        buckets = []
        counts = []
    }

    /// From bucket → count pairs in any order.
    public init(_ dictionary: [Int: Float]) {
        let sorted = dictionary.sorted { $0.key < $1.key }
        buckets = sorted.map { Int32(truncatingIfNeeded: $0.key) }
        counts = sorted.map(\.value)
    }

    /// From arrays already sorted by bucket, without duplicates.
    init(sortedBuckets: [Int32], counts: [Float]) {
        precondition(sortedBuckets.count == counts.count)
        buckets = sortedBuckets
        self.counts = counts
    }

    public var count: Int { buckets.count }
    public var isEmpty: Bool { buckets.isEmpty }

    /// The counts as a dictionary (for tests and readers that look buckets up).
    public var dictionary: [Int: Float] {
        Dictionary(uniqueKeysWithValues: zip(buckets, counts).map { (Int($0), $1) })
    }
}
