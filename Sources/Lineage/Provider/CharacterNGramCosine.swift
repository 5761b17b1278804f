import Foundation

/// The cosine of two texts' character n-gram count vectors: the similarity the served-sample test
/// ranks by (any fixed similarity keeps that test exact; this one rewards reproduced wording).
///
/// Texts are lower-cased and every run of whitespace becomes one space before n-grams of Unicode
/// scalars are counted; a text shorter than n is one gram. Grams are keyed by a 64-bit FNV-1a hash
/// of their scalars (a collision only merges two grams, for every answer alike).
public struct CharacterNGramCosine: Sendable, Equatable {
    public var n: Int

    public init(n: Int = 4) {
        precondition(n >= 1, "n-grams need n ≥ 1")
        self.n = n
    }

    public var description: String { "cosine of character \(n)-gram counts (lower-cased, whitespace collapsed)" }

    /// A text's n-gram counts with their Euclidean norm, computed once and compared many times.
    public struct Profile: Sendable, Equatable {
        public var counts: [UInt64: Double]
        public var norm: Double
    }

    public func profile(_ text: String) -> Profile {
        var scalars: [UInt32] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        var lastWasSpace = true
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isWhitespace {
                if !lastWasSpace { scalars.append(0x20) }
                lastWasSpace = true
            } else {
                scalars.append(scalar.value)
                lastWasSpace = false
            }
        }
        if scalars.last == 0x20 { scalars.removeLast() }
        var counts: [UInt64: Double] = [:]
        if !scalars.isEmpty {
            let width = min(n, scalars.count)
            for start in 0...(scalars.count - width) {
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for scalar in scalars[start..<(start + width)] {
                    hash = (hash ^ UInt64(scalar)) &* 0x0000_0100_0000_01B3
                }
                counts[hash, default: 0] += 1
            }
        }
        return Profile(counts: counts, norm: counts.values.reduce(0) { $0 + $1 * $1 }.squareRoot())
    }

    /// Cosine in [0, 1]; 0 when either text is empty.
    public func similarity(_ a: Profile, _ b: Profile) -> Double {
        guard a.norm > 0, b.norm > 0 else { return 0 }
        let (small, large) = a.counts.count <= b.counts.count ? (a, b) : (b, a)
        var dot = 0.0
        for (gram, count) in small.counts { if let other = large.counts[gram] { dot += count * other } }
        return dot / (a.norm * b.norm)
    }

    public func similarity(_ a: String, _ b: String) -> Double { similarity(profile(a), profile(b)) }
}
