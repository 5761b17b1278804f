import Foundation

/// Resampling over probes for paired per-probe effects, as matrix products.
///
/// `effects` is P×K: one column per comparison (e.g. per control), one row per probe. The sign-flip
/// test draws a B×P matrix of random signs and gets all B×K null means in one `sgemm`; the
/// percentile bootstrap does the same with a B×P matrix of multinomial probe weights.
public enum PairedResampling {
    public struct SignFlipOutcome: Sendable {
        /// Observed mean effect per column.
        public var observed: [Double]
        /// One-sided p-values (alternative: mean effect > 0), (1 + #{null ≥ observed}) / (1 + B).
        public var pValues: [Double]
        /// Null means, B×K.
        public var null: Matrix
    }

    /// The sign-flip test of "per-probe effects are symmetric about zero" against "their mean is
    /// positive", for every column at once (the same B sign vectors for all columns).
    public static func signFlip(effects: Matrix, replicates: Int, seed: UInt64) -> SignFlipOutcome {
        let p = effects.rows
        var generator = SeededGenerator(seed: seed)
        // Row 0 is all +1, so the observed mean goes through the very same arithmetic as the null ones.
        var signs = Matrix(rows: replicates + 1, columns: p)
        let unit = 1 / Float(max(1, p))
        for i in 0..<p { signs.values[i] = unit }
        for r in 1...replicates {
            var bits: UInt64 = 0
            for i in 0..<p {
                if i % 64 == 0 { bits = generator.next() }
                signs.values[r * p + i] = (bits & 1) == 0 ? unit : -unit
                bits >>= 1
            }
        }
        let means = signs.multiplied(by: effects)
        var observed: [Double] = []
        var pValues: [Double] = []
        var null = Matrix(rows: replicates, columns: effects.columns)
        for k in 0..<effects.columns {
            let observedMean = means[0, k]
            // A tolerance of a few Float ulps of the largest effect keeps ties (e.g. all-zero effects) ties.
            var scale: Float = 0
            for i in 0..<p { scale = max(scale, abs(effects[i, k])) }
            let tolerance = scale * 4e-6
            var extreme = 0
            for r in 1...replicates {
                let value = means[r, k]
                null[r - 1, k] = value
                if value >= observedMean - tolerance { extreme += 1 }
            }
            observed.append(Double(observedMean))
            pValues.append(Double(1 + extreme) / Double(1 + replicates))
        }
        return SignFlipOutcome(observed: observed, pValues: pValues, null: null)
    }

    /// Bootstrap replicates of each column's mean, resampling probes: B×K, one `sgemm` of a B×P
    /// matrix of multinomial probe weights with the effects.
    public static func bootstrapMeans(effects: Matrix, replicates: Int, seed: UInt64) -> Matrix {
        let p = effects.rows
        guard p > 0 else { return Matrix(rows: replicates, columns: effects.columns) }
        var generator = SeededGenerator(seed: seed)
        var weights = Matrix(rows: replicates, columns: p)
        let unit = 1 / Float(p)
        for r in 0..<replicates {
            for _ in 0..<p { weights.values[r * p + Int(generator.next() % UInt64(p))] += unit }
        }
        return weights.multiplied(by: effects)
    }

    /// Percentile-bootstrap intervals of each column's mean at the given two-sided level.
    public static func bootstrapIntervals(effects: Matrix, replicates: Int, level: Double, seed: UInt64)
        -> [(low: Double, high: Double)] {
        let means = bootstrapMeans(effects: effects, replicates: replicates, seed: seed)
        return (0..<effects.columns).map { k in
            percentileInterval((0..<replicates).map { Double(means[$0, k]) }.sorted(), level: level)
        }
    }

    /// The percentile interval of sorted replicates.
    public static func percentileInterval(_ sorted: [Double], level: Double) -> (low: Double, high: Double) {
        (quantile(sorted, (1 - level) / 2), quantile(sorted, 1 - (1 - level) / 2))
    }

    /// The exact one-sided sign-flip p-value by enumerating all 2^P sign vectors (small P only):
    /// the closed form the resampled test is checked against.
    public static func exactSignFlipPValue(_ effects: [Double]) -> Double {
        precondition(effects.count <= 20, "exact enumeration is for small P")
        let observed = effects.reduce(0, +)
        var extreme = 0
        let total = 1 << effects.count
        for mask in 0..<total {
            var sum = 0.0
            for (i, e) in effects.enumerated() { sum += (mask >> i) & 1 == 0 ? e : -e }
            if sum >= observed - 1e-9 { extreme += 1 }
        }
        return Double(extreme) / Double(total)
    }

    /// Linear-interpolation quantile of sorted values.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(sorted.count - 1, lower + 1)
        let fraction = position - Double(lower)
        return sorted[lower] * (1 - fraction) + sorted[upper] * fraction
    }
}
