import Foundation

/// The featurised turns of one stored response: what the fingerprint builder's first pass makes of
/// it (each turn cleaned against its prompt, then `TextFeatures` of the cleaned text), kept in the
/// store so that later studies read it instead of featurising the answer again.
public struct CachedFeatures: Sendable, Equatable {
    /// Per answer turn (at most the probe's turns): the features of the cleaned text.
    public var turns: [TextFeatures]
    /// Per answer turn: what the cleaner removed.
    public var removals: [[ResponseCleaner.Removal]]

    public init(turns: [TextFeatures], removals: [[ResponseCleaner.Removal]]) {
        precondition(turns.count == removals.count)
        self.turns = turns
        self.removals = removals
    }

    /// The builder's first pass on one response: every turn the response and its probe both have.
    public init(of response: StoredResponse, cleaner: ResponseCleaner = ResponseCleaner()) {
        var counter = ASCIIFeaturiser.Counter()
        self.init(of: response, cleaner: cleaner, counter: &counter)
    }

    init(of response: StoredResponse, cleaner: ResponseCleaner, counter: inout ASCIIFeaturiser.Counter) {
        self.init(answer: response.turns, probe: response.probe, cleaner: cleaner, counter: &counter)
    }

    /// The same pass on an answer not yet stored (an import featurises while it writes): it reads
    /// only the answer's turns and its probe, as a stored response's pass does.
    init(answer: [String], probe: ProbeContent, cleaner: ResponseCleaner, counter: inout ASCIIFeaturiser.Counter) {
        var turns: [TextFeatures] = [], removals: [[ResponseCleaner.Removal]] = []
        for t in 0..<min(answer.count, probe.turns.count) {
            let (features, removed) = Self.turn(answer[t], prompt: probe.turns[t],
                                                context: Self.context(of: probe, through: t), cleaner: cleaner, counter: &counter)
            turns.append(features)
            removals.append(removed)
        }
        self.init(turns: turns, removals: removals)
    }

    /// One answer turn of the first pass: the text cleaned against the turn's prompt, then featurised
    /// with the conversation so far (`context(of:through:)`) as the prompt whose names it ignores. The
    /// fingerprint builder featurises uncached answers through this too, so a cached row and a fresh
    /// pass are one computation.
    static func turn(_ answer: String, prompt: String, context: String, cleaner: ResponseCleaner,
                     counter: inout ASCIIFeaturiser.Counter) -> (features: TextFeatures, removals: [ResponseCleaner.Removal]) {
        let (text, removals) = cleaner.clean(answer, prompt: prompt)
        return (TextFeatures(text: text, prompt: context, counter: &counter), removals)
    }

    /// The user turns up to and including turn `t`, one per line.
    static func context(of probe: ProbeContent, through t: Int) -> String {
        probe.turns[0...t].joined(separator: "\n")
    }
}

extension TextFeatures: Equatable {
    /// Equal to the last bit: every Float compared by its bit pattern.
    public static func == (a: TextFeatures, b: TextFeatures) -> Bool {
        func same(_ x: [Float], _ y: [Float]) -> Bool { x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern } }
        func same(_ x: SparseCounts, _ y: SparseCounts) -> Bool { x.buckets == y.buckets && same(x.counts, y.counts) }
        return a.length == b.length && same(a.words, b.words) && same(a.characters, b.characters) && same(a.openings, b.openings)
            && same(a.style, b.style) && same(a.markers, b.markers) && same(a.identity, b.identity)
    }
}

/// Problems reading a cached feature row (a damaged or foreign row: the caller featurises afresh).
struct FeatureCodecError: Error, CustomStringConvertible {
    let description: String
}

/// The bytes of a cache row: compact and exact (every Float comes back bit for bit).
///
/// Sparse counts are written as bucket gaps: a varint `gap << 1 | flag`, where flag 0 means a count
/// of 1 (most n-grams occur once) and flag 1 is followed by a varint `2n` for an integral count n,
/// or `2 × bits + 1` for any other Float. Dense vectors whose entries are all 0 or 1 (markers,
/// identity claims) are a bit mask; others are raw little-endian Floats.
enum FeatureCodec {
    /// Format of the bytes; part of `FeatureCache.version`.
    static let format: UInt8 = 1

    static func encode(_ features: CachedFeatures) -> [UInt8] {
        var out: [UInt8] = [format]
        out.reserveCapacity(64 + features.turns.reduce(0) { $0 + 2 * ($1.words.count + $1.characters.count) + 120 })
        varint(UInt64(features.turns.count), &out)
        for (turn, removed) in zip(features.turns, features.removals) {
            varint(UInt64(removed.count), &out)
            for removal in removed { out.append(UInt8(ResponseCleaner.Removal.allCases.firstIndex(of: removal)!)) }
            varint(UInt64(turn.length), &out)
            sparse(turn.words, &out)
            sparse(turn.characters, &out)
            sparse(turn.openings, &out)
            dense(turn.style, &out)
            dense(turn.markers, &out)
            dense(turn.identity, &out)
        }
        return out
    }

    static func decode(_ bytes: [UInt8]) throws -> CachedFeatures {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == format else { throw FeatureCodecError(description: "unknown cache format") }
        let turnCount = try reader.count()
        var turns: [TextFeatures] = [], removals: [[ResponseCleaner.Removal]] = []
        for _ in 0..<turnCount {
            var removed: [ResponseCleaner.Removal] = []
            for _ in 0..<(try reader.count()) {
                let index = Int(try reader.byte())
                guard index < ResponseCleaner.Removal.allCases.count else { throw FeatureCodecError(description: "unknown removal") }
                removed.append(ResponseCleaner.Removal.allCases[index])
            }
            let length = try reader.count()
            let words = try reader.sparse(), characters = try reader.sparse(), openings = try reader.sparse()
            let style = try reader.dense(), markers = try reader.dense(), identity = try reader.dense()
            turns.append(TextFeatures(words: words, characters: characters, openings: openings, style: style, markers: markers,
                                      identity: identity, length: length))
            removals.append(removed)
        }
        guard reader.isAtEnd else { throw FeatureCodecError(description: "trailing bytes") }
        return CachedFeatures(turns: turns, removals: removals)
    }

    private static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func sparse(_ counts: SparseCounts, _ out: inout [UInt8]) {
        varint(UInt64(counts.count), &out)
        var previous: Int32 = -1
        for (bucket, count) in zip(counts.buckets, counts.counts) {
            let gap = UInt64(bucket - previous - 1)
            previous = bucket
            if count == 1 {
                varint(gap << 1, &out)
            } else {
                varint(gap << 1 | 1, &out)
                if count >= 1, count < 16_777_216, count.rounded(.towardZero) == count {
                    varint(UInt64(count) << 1, &out)
                } else {
                    varint(UInt64(count.bitPattern) << 1 | 1, &out)
                }
            }
        }
    }

    private static func dense(_ values: [Float], _ out: inout [UInt8]) {
        varint(UInt64(values.count), &out)
        if values.allSatisfy({ $0.bitPattern == Float(0).bitPattern || $0.bitPattern == Float(1).bitPattern }) {
            out.append(0)
            var byte: UInt8 = 0
            for (i, value) in values.enumerated() {
                if value == 1 { byte |= 1 << UInt8(i % 8) }
                if i % 8 == 7 || i == values.count - 1 {
                    out.append(byte)
                    byte = 0
                }
            }
        } else {
            out.append(1)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        var isAtEnd: Bool { at == bytes.count }

        mutating func byte() throws -> UInt8 {
            guard at < bytes.count else { throw FeatureCodecError(description: "truncated row") }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw FeatureCodecError(description: "varint too long") }
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
        }

        /// A count or length: bounded, so that a damaged row cannot ask for a huge allocation.
        mutating func count() throws -> Int {
            let value = try varint()
            guard value <= UInt64(bytes.count) * 8 + 1 << 20 else { throw FeatureCodecError(description: "implausible count") }
            return Int(value)
        }

        mutating func sparse() throws -> SparseCounts {
            let n = try count()
            var buckets = [Int32](), counts = [Float]()
            buckets.reserveCapacity(n)
            counts.reserveCapacity(n)
            var previous: Int64 = -1
            for _ in 0..<n {
                let head = try varint()
                let bucket = previous + 1 + Int64(head >> 1)
                guard bucket <= Int64(Int32.max) else { throw FeatureCodecError(description: "bucket out of range") }
                previous = bucket
                buckets.append(Int32(bucket))
                if head & 1 == 0 {
                    counts.append(1)
                } else {
                    let value = try varint()
                    if value & 1 == 0 {
                        counts.append(Float(value >> 1))
                    } else {
                        guard value >> 1 <= UInt64(UInt32.max) else { throw FeatureCodecError(description: "bad count") }
                        counts.append(Float(bitPattern: UInt32(value >> 1)))
                    }
                }
            }
            return SparseCounts(sortedBuckets: buckets, counts: counts)
        }

        mutating func dense() throws -> [Float] {
            let n = try count()
            switch try byte() {
            case 0:
                var values = [Float](repeating: 0, count: n)
                var byte: UInt8 = 0
                for i in 0..<n {
                    if i % 8 == 0 { byte = try self.byte() }
                    if byte & (1 << UInt8(i % 8)) != 0 { values[i] = 1 }
                }
                return values
            case 1:
                var values: [Float] = []
                values.reserveCapacity(n)
                for _ in 0..<n {
                    var bits: UInt32 = 0
                    for k in 0..<4 { bits |= UInt32(try byte()) << (8 * UInt32(k)) }
                    values.append(Float(bitPattern: bits))
                }
                return values
            default:
                throw FeatureCodecError(description: "unknown dense encoding")
            }
        }
    }
}

/// Which featuriser a cache row was made by. Rows of any other version are ignored (and replaced by
/// `lineage cache`): the version names the row format and the featuriser's own revision, and folds in
/// the features of a fixed set of texts, so a change to the featuriser or the cleaner that moves any
/// of them retires every row made before it even if nobody bumps the revision.
public enum FeatureCache {
    /// Bump when the featuriser or the cleaner changes what they compute.
    static let revision = 1

    public static let version: String = {
        let probe = ProbeContent(system: nil, turns: ["Who made you? Answer briefly.", "And what is 2 + 2?"])
        let texts = [
            ["I am Qwen, created by Alibaba Cloud. Certainly! Here's a **short** list:\n- one\n- two\n\n1. three", "4"],
            ["As an AI language model, I don't have personal opinions. ### Human: next", "It is 4."],
            ["Assistant: Ünïcödé — “quotes”, naïve café; 12,345.67 %\n\n| a | b |\n|---|---|\n```swift\nlet x = 1\n```", "Vier!"],
            ["Who made you? Answer briefly. I was made by OpenAI (ChatGPT).", ""],
        ]
        var bytes: [UInt8] = [FeatureCodec.format, UInt8(revision)]
        for turns in texts {
            let response = StoredResponse(id: 0, model: "", probeID: 0, probeHash: probe.contentHash, probe: probe, sampleIndex: 0,
                                          parameters: SamplingParameters(), turns: turns, finishReason: nil, contentHash: "")
            bytes += FeatureCodec.encode(CachedFeatures(of: response))
        }
        return "f\(FeatureCodec.format).r\(revision)." + ContentHash.sha256(Data(bytes)).prefix(16)
    }()
}
