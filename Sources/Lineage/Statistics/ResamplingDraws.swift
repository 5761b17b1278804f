import Foundation

/// The bootstrap's probe weights, drawn once per (seed, probes, replicates) and shared by the studies
/// of a batch. Studies with the same seed and probe count would otherwise each draw the same B×P
/// multinomial weights again, one random number per probe and replicate. A study reads exactly the
/// weights it would draw alone, so its results are bit for bit those of the unshared path.
/// Holds at most `capacity` bytes; past it, weights are drawn and not kept.
public final class ResamplingDraws: @unchecked Sendable {
    private struct Key: Hashable {
        let seed: UInt64, probes: Int, replicates: Int
    }
    private let lock = NSLock()
    private var weights: [Key: [Float]] = [:]
    private var bytes = 0
    public let capacity: Int

    public init(capacity: Int = 256 << 20) {
        self.capacity = capacity
    }

    /// Row-major replicates × probes: row r holds the bootstrap's weights (counts / P) of replicate r.
    func bootstrapWeights(probes: Int, replicates: Int, seed: UInt64) -> [Float] {
        let key = Key(seed: seed, probes: probes, replicates: replicates)
        if let kept = lock.withLock({ weights[key] }) { return kept }
        let drawn = Self.drawBootstrapWeights(probes: probes, replicates: replicates, seed: seed)
        lock.withLock {
            if weights[key] == nil, bytes + drawn.count * 4 <= capacity {
                weights[key] = drawn
                bytes += drawn.count * 4
            }
        }
        return drawn
    }

    /// Each replicate draws P probes with replacement from the generator, in order.
    static func drawBootstrapWeights(probes p: Int, replicates: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let draw = ExactRemainder(UInt64(p))
        var out = [Float](repeating: 0, count: replicates * p)
        out.withUnsafeMutableBufferPointer { out in
            for r in 0..<replicates { addBootstrapRow(to: UnsafeMutableBufferPointer(rebasing: out[(r * p)..<((r + 1) * p)]), draw: draw, generator: &generator) }
        }
        return out
    }

    /// One replicate's weights added to a zeroed row of P: P draws with replacement, 1/P each.
    static func addBootstrapRow(to row: UnsafeMutableBufferPointer<Float>, draw: ExactRemainder, generator: inout SeededGenerator) {
        let unit = 1 / Float(row.count)
        for _ in 0..<row.count { row[Int(draw.remainder(generator.next()))] += unit }
    }
}
