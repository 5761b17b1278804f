/// A MinHash signature by one-permutation hashing: each shingle hash picks a bin by its top
/// bits and keeps the bin's minimum. One hash per shingle (not one per bin) keeps the update
/// cheap; the merge is the element-wise minimum, so it is exact, associative and commutative.
public struct MinHash: Codable, Sendable, Equatable {
    public static let bins = 64
    static let empty = UInt64.max

    public private(set) var values: [UInt64]

    public init() { values = [UInt64](repeating: Self.empty, count: Self.bins) }

    public init(values: [UInt64]) { self.values = values }

    @inline(__always)
    public mutating func insert(_ hash: UInt64) {
        let bin = Int(hash >> 58)
        if hash < values[bin] { values[bin] = hash }
    }

    public mutating func merge(_ other: MinHash) {
        for index in values.indices where other.values[index] < values[index] { values[index] = other.values[index] }
    }

    public var isEmpty: Bool { values.allSatisfy { $0 == Self.empty } }

    /// Estimated Jaccard similarity of the two shingle sets: matching bins among bins that
    /// either signature filled.
    public func jaccard(_ other: MinHash) -> Double {
        var matches = 0, used = 0
        for index in values.indices {
            let a = values[index], b = other.values[index]
            if a == Self.empty && b == Self.empty { continue }
            used += 1
            if a == b { matches += 1 }
        }
        return used == 0 ? 0 : Double(matches) / Double(used)
    }

    /// Bucket keys for LSH banding: `rows` bins per band, a band skipped when any bin is empty.
    public func bandKeys(rows: Int) -> [UInt64] {
        var keys: [UInt64] = []
        var band = 0
        while band * rows + rows <= values.count {
            var key = UInt64(band) &* 0x9E37_79B9_7F4A_7C15
            var complete = true
            for row in 0..<rows {
                let value = values[band * rows + row]
                if value == Self.empty { complete = false; break }
                key = StableHash.mix(key ^ value)
            }
            if complete { keys.append(key) }
            band += 1
        }
        return keys
    }
}

extension MinHash {
    // Compact JSON: the values as 16-digit hex strings ("" for an empty bin).
    public init(from decoder: Decoder) throws {
        let texts = try decoder.singleValueContainer().decode([String].self)
        guard texts.count == Self.bins else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a MinHash needs \(Self.bins) values"))
        }
        values = try texts.map { text in
            if text.isEmpty { return Self.empty }
            guard let value = UInt64(text, radix: 16) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not a hex MinHash value"))
            }
            return value
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values.map { $0 == Self.empty ? "" : StableHash.hex($0) })
    }
}
