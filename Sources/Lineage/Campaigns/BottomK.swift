/// The `k` entries with the smallest hashes seen (ties broken by value), with duplicates of a
/// value kept once. Because which entries survive depends only on the hashes, the merge of two
/// sketches equals the sketch of the union whatever the order: a coordinated sample, used for
/// example prompts, distinct-prompt estimates, fingerprints and timestamps.
public struct BottomK: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable, Comparable {
        public var hash: UInt64
        public var value: String

        public static func < (a: Entry, b: Entry) -> Bool { a.hash < b.hash || (a.hash == b.hash && a.value < b.value) }

        public init(hash: UInt64, value: String) {
            self.hash = hash
            self.value = value
        }

        public init(from decoder: Decoder) throws {
            var container = try decoder.unkeyedContainer()
            let hex = try container.decode(String.self)
            guard let hash = UInt64(hex, radix: 16) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(hex)\" is not a hex hash"))
            }
            self.hash = hash
            value = try container.decode(String.self)
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(StableHash.hex(hash))
            try container.encode(value)
        }
    }

    public var k: Int
    /// Sorted, at most `k`.
    public private(set) var entries: [Entry] = []

    public init(k: Int) { self.k = k }

    /// The hash that an entry must be below to get in once the sketch is full.
    public var threshold: UInt64 { entries.count < k ? .max : entries[entries.count - 1].hash }

    public mutating func insert(hash: UInt64, value: String) {
        if entries.count >= k, hash > entries[entries.count - 1].hash { return }
        let entry = Entry(hash: hash, value: value)
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid] < entry { low = mid + 1 } else { high = mid }
        }
        if low < entries.count, entries[low] == entry { return }
        entries.insert(entry, at: low)
        if entries.count > k { entries.removeLast() }
    }

    public mutating func insert(_ value: String) { insert(hash: StableHash.of(value), value: value) }

    public mutating func merge(_ other: BottomK) {
        for entry in other.entries { insert(hash: entry.hash, value: entry.value) }
    }

    public var values: [String] { entries.map(\.value) }

    /// The number of distinct values seen, exactly while the sketch is not full, else the KMV
    /// estimate (k − 1) / (k-th smallest hash as a fraction of the hash range).
    public var distinctEstimate: Double {
        guard entries.count >= k, k > 1 else { return Double(entries.count) }
        let fraction = Double(entries[k - 1].hash) / Double(UInt64.max)
        return fraction > 0 ? Double(k - 1) / fraction : Double(k)
    }

    enum CodingKeys: String, CodingKey { case k, entries }
}
