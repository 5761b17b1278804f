/// `x % divisor` for a divisor fixed in advance, by one full-width multiply and shifts instead of a
/// 64-bit division (libdivide's branch-free unsigned algorithm): the same result for every x, so
/// draws such as the bootstrap's `next() % P` stay what they were, only cheaper.
struct ExactRemainder: Sendable {
    let divisor: UInt64
    private let magic: UInt64
    private let shift: UInt64
    private let isPowerOfTwo: Bool

    init(_ divisor: UInt64) {
        precondition(divisor > 0, "a remainder needs a positive divisor")
        self.divisor = divisor
        let floorLog2 = UInt64(63 - divisor.leadingZeroBitCount)
        shift = floorLog2
        if divisor & (divisor - 1) == 0 {
            isPowerOfTwo = true
            magic = 0
        } else {
            isPowerOfTwo = false
            // floor(2^(64 + floorLog2) / divisor), doubled and rounded up, plus one.
            let (quotient, remainder) = divisor.dividingFullWidth((high: UInt64(1) << floorLog2, low: 0))
            var proposed = quotient &+ quotient
            let twice = remainder &+ remainder
            if twice >= divisor || twice < remainder { proposed &+= 1 }
            magic = proposed &+ 1
        }
    }

    @inline(__always) func quotient(_ x: UInt64) -> UInt64 {
        if isPowerOfTwo { return x >> shift }
        let q = x.multipliedFullWidth(by: magic).high
        return (((x &- q) >> 1) &+ q) >> shift
    }

    @inline(__always) func remainder(_ x: UInt64) -> UInt64 { x &- quotient(x) &* divisor }
}
