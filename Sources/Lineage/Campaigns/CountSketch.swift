/// A CountSketch of an account's shingle counts: each shingle adds ±1 to one of `dimensions`
/// counters (bin and sign from its hash). It is a random projection of the count vector, so the
/// cosine of two sketches estimates the cosine of the accounts' shingle counts: repeated
/// template text dominates it however varied the fills are, where a set-level MinHash would be
/// diluted by them. Integer (wrapping) sums: the merge is exact in any order.
public struct CountSketch: Codable, Sendable, Equatable {
    public static let dimensions = 256

    public private(set) var counts: [Int32]

    public init() { counts = [Int32](repeating: 0, count: Self.dimensions) }

    @inline(__always)
    public mutating func insert(_ hash: UInt64) {
        let index = Int((hash >> 20) & UInt64(Self.dimensions - 1))
        counts[index] &+= (hash & 1) == 0 ? 1 : -1
    }

    public mutating func merge(_ other: CountSketch) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
    }

    /// Squared norm: estimates the sum of squared shingle counts.
    public var squaredNorm: Double { counts.reduce(0.0) { $0 + Double($1) * Double($1) } }

    public init(from decoder: Decoder) throws {
        counts = try decoder.singleValueContainer().decode([Int32].self)
        guard counts.count == Self.dimensions else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a CountSketch needs \(Self.dimensions) counts"))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(counts)
    }
}
