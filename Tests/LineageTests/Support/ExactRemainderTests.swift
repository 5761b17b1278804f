import Testing
@testable import Lineage

/// The multiply-and-shift remainder must equal `%` for every numerator: checked on random and
/// edge numerators for every divisor up to 2,100 (probe counts), powers of two and random 64-bit ones.
@Suite struct ExactRemainderTests {
    @Test func equalsTheDivisionRemainder() {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("ExactRemainderTests seed: \(seed)")
        var rng = SeededGenerator(seed: seed)
        var divisors = Array(UInt64(1)...2_100) + (0..<64).map { UInt64(1) << $0 }
        divisors += (0..<200).map { _ in rng.next() | 1 } + (0..<200).map { _ in rng.next() >> (rng.next() % 63) } + [UInt64.max, UInt64.max - 1]
        for d in divisors where d > 0 {
            let exact = ExactRemainder(d)
            var numerators: [UInt64] = [0, 1, d - 1, d, d &+ 1, UInt64.max, UInt64.max - 1, UInt64.max / d * d, (UInt64.max / d) &* d &- 1]
            numerators += (0..<200).map { _ in rng.next() }
            for x in numerators {
                #expect(exact.remainder(x) == x % d, "\(x) % \(d)")
                #expect(exact.quotient(x) == x / d, "\(x) / \(d)")
            }
        }
    }
}
