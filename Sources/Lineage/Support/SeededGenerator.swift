/// A small, fast, reproducible random number generator (SplitMix64).
///
/// Every random draw in Lineage (permutations, bootstraps, simulated nulls, test inputs) comes from
/// one of these with a recorded seed, so any result can be reproduced exactly.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [-1, 1), for test matrices.
    public mutating func nextSignedUnitFloat() -> Float {
        Float(Double(next() >> 11) * 0x1.0p-53 * 2 - 1)
    }
}
