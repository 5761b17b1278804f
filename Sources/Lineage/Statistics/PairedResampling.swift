import CLinearAlgebra
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
        let means = signedMeans(effects: effects, replicates: replicates, seed: seed)
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

    /// Row 0: each column's mean; rows 1...B: its mean under B random sign vectors over probes (the
    /// same signs for every column). Bit i of row r's ⌈P/64⌉ draws is probe i's sign (set: −).
    ///
    /// By tables rather than a B×P product (the "four Russians" method): for each group of eight
    /// probes, the 256 signed sums of their effects are tabulated once, and a replicate adds, per
    /// group, the row its eight sign bits select, so a replicate costs P/8 row additions instead of P
    /// multiply-adds. Row 0 (no sign flipped) goes through the very same arithmetic as the null rows.
    ///
    /// The columns are taken sixteen at a time (one `SIMD16`, a cache line), and the groups eight at a
    /// time, so that the eight tables in use (128 KiB) stay in L2 while every replicate's sixteen
    /// sums stream past them; each sum adds its groups' rows in group order, from zero, so the means
    /// are the same Floats whatever the tiling.
    static func signedMeans(effects: Matrix, replicates: Int, seed: UInt64) -> Matrix {
        let p = effects.rows, k = effects.columns
        var means = Matrix(rows: replicates + 1, columns: k)
        guard p > 0, k > 0 else { return means }
        let words = (p + 63) / 64
        var generator = SeededGenerator(seed: seed)
        var bits = [UInt64](repeating: 0, count: max(1, replicates * words))
        for i in 0..<(replicates * words) { bits[i] = generator.next() }
        let unit = 1 / Float(p), twice = 2 * unit
        let groups = (p + 7) / 8
        let lanes = 16, tiles = (k + lanes - 1) / lanes
        let groupsPerPass = 8
        // Probe i's effects on tile t's columns, zero past the last column.
        var packed = [SIMD16<Float>](repeating: .zero, count: p * tiles)
        for i in 0..<p {
            for c in 0..<k { packed[i * tiles + c / lanes][c % lanes] = effects[i, c] }
        }
        var tables = [SIMD16<Float>](repeating: .zero, count: groupsPerPass * 256)
        var sums = [SIMD16<Float>](repeating: .zero, count: replicates + 1)
        bits.withUnsafeBufferPointer { bits in
            packed.withUnsafeBufferPointer { packed in
                tables.withUnsafeMutableBufferPointer { tables in
                    sums.withUnsafeMutableBufferPointer { sums in
                        let bits = bits.baseAddress!, packed = packed.baseAddress!
                        let tables = tables.baseAddress!, sums = sums.baseAddress!
                        for t in 0..<tiles {
                            for r in 0...replicates { sums[r] = .zero }
                            var firstGroup = 0
                            while firstGroup < groups {
                                let pass = min(groupsPerPass, groups - firstGroup)
                                // Entry 0: every probe of the group positive; entry b: entry b without its
                                // highest bit h, with probe h's effect turned negative.
                                for local in 0..<pass {
                                    let g = firstGroup + local, width = min(8, p - 8 * g)
                                    let table = tables + local * 256
                                    var all = SIMD16<Float>.zero
                                    for j in 0..<width { all += packed[(8 * g + j) * tiles + t] * unit }
                                    table[0] = all
                                    for b in 1..<(1 << width) {
                                        let h = Int.bitWidth - 1 - b.leadingZeroBitCount
                                        table[b] = table[b ^ (1 << h)] - packed[(8 * g + h) * tiles + t] * twice
                                    }
                                }
                                var sum = sums[0]
                                for local in 0..<pass { sum += tables[local * 256] }
                                sums[0] = sum
                                // A short last group reads only its own bits: its table has 2^width entries.
                                let lastMask = UInt64((1 << min(8, p - 8 * (firstGroup + pass - 1))) - 1)
                                for r in stride(from: 1, through: replicates, by: 1) {
                                    let draws = bits + (r - 1) * words
                                    var sum = sums[r]
                                    for local in 0..<pass {
                                        let g = firstGroup + local
                                        let mask = local == pass - 1 ? lastMask : 0xFF
                                        sum += tables[local * 256 + Int(truncatingIfNeeded: (draws[g >> 3] >> UInt64((g & 7) * 8)) & mask)]
                                    }
                                    sums[r] = sum
                                }
                                firstGroup += pass
                            }
                            let columns = min(lanes, k - t * lanes)
                            means.values.withUnsafeMutableBufferPointer { out in
                                for r in 0...replicates {
                                    let sum = sums[r], row = out.baseAddress! + r * k + t * lanes
                                    for c in 0..<columns { row[c] = sum[c] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return means
    }

    public struct MaxTOutcome: Sendable {
        /// Per group: the largest standardised mean over its views.
        public var observed: [Double]
        /// Per group: the view that gave it.
        public var largestView: [Int]
        /// Per group and view: the standardised mean (mean / root mean square).
        public var standardized: [[Double]]
        /// Per group: one-sided p-value of the max-T test, (1 + #{null max ≥ observed max}) / (1 + B).
        public var pValues: [Double]
        /// Per group: the same test on each view alone (the plain sign-flip p-value).
        public var viewPValues: [[Double]]
        /// Null maxima, B × groups.
        public var null: Matrix
    }

    /// The sign-flip max-T test: "per probe, the effects of every view, jointly, are symmetric about
    /// zero" against "some view's mean is positive", for several groups of views at once.
    ///
    /// `effects` is P × (groups·views), column `g·views + v` holding view v of group g (e.g. a
    /// control and a feature family). Each view is standardised by its root mean square over probes,
    /// which a sign flip leaves unchanged, so mean / RMS orders replicates as the t-statistic does and
    /// puts views of different scales on one footing. A group's statistic is its largest
    /// standardised mean; the null distribution flips the signs of whole probes, every view at once
    /// (Westfall and Young's max-T), so the test is exact under that null whatever the dependence
    /// between views, and picks the view that carries the signal without paying for the choice
    /// more than the views' dependence requires.
    public static func signFlipMaxT(effects: Matrix, views: Int, replicates: Int, seed: UInt64) -> MaxTOutcome {
        precondition(views > 0 && effects.columns % views == 0, "columns must be groups × views")
        let groups = effects.columns / views
        let p = effects.rows
        let means = signedMeans(effects: effects, replicates: replicates, seed: seed)
        var scale = [Float](repeating: 0, count: effects.columns)
        for c in 0..<effects.columns {
            var squares: Float = 0
            for i in 0..<p { squares += effects[i, c] * effects[i, c] }
            let rms = (squares / Float(max(1, p))).squareRoot()
            scale[c] = rms > 0 ? 1 / rms : 0
        }
        // The same tolerance as `signFlip`, in standardised units: ties stay ties.
        let tolerance: Float = 4e-6 * Float(max(1, p)).squareRoot()
        var outcome = MaxTOutcome(observed: [], largestView: [], standardized: [], pValues: [], viewPValues: [],
                                  null: Matrix(rows: replicates, columns: groups))
        for g in 0..<groups {
            func statistic(_ row: Int, _ v: Int) -> Float { means[row, g * views + v] * scale[g * views + v] }
            let observed = (0..<views).map { statistic(0, $0) }
            let best = observed.indices.max { observed[$0] < observed[$1] }!
            var extreme = 0
            var viewExtreme = [Int](repeating: 0, count: views)
            for r in 1...replicates {
                var largest = -Float.infinity
                for v in 0..<views {
                    let value = statistic(r, v)
                    largest = max(largest, value)
                    if value >= observed[v] - tolerance { viewExtreme[v] += 1 }
                }
                outcome.null[r - 1, g] = largest
                if largest >= observed[best] - tolerance { extreme += 1 }
            }
            outcome.observed.append(Double(observed[best]))
            outcome.largestView.append(best)
            outcome.standardized.append(observed.map(Double.init))
            outcome.pValues.append(Double(1 + extreme) / Double(1 + replicates))
            outcome.viewPValues.append(viewExtreme.map { Double(1 + $0) / Double(1 + replicates) })
        }
        return outcome
    }

    /// Bootstrap replicates of each column's mean, resampling probes: B×K, the product of a B×P
    /// matrix of multinomial probe weights with the effects. With `draws`, the weights come from (and
    /// are kept in) the batch's shared draws; they are the same numbers either way.
    public static func bootstrapMeans(effects: Matrix, replicates: Int, seed: UInt64, draws: ResamplingDraws? = nil) -> Matrix {
        let p = effects.rows
        guard p > 0 else { return Matrix(rows: replicates, columns: effects.columns) }
        if let draws {
            let weights = draws.bootstrapWeights(probes: p, replicates: replicates, seed: seed)
            return weights.withUnsafeBufferPointer { w in
                blockedProduct(rows: replicates, with: effects) { r, row in
                    row.baseAddress!.update(from: w.baseAddress! + r * p, count: p)
                }
            }
        }
        var generator = SeededGenerator(seed: seed)
        let draw = ExactRemainder(UInt64(p))
        return blockedProduct(rows: replicates, with: effects) { _, row in
            for i in row.indices { row[i] = 0 }
            ResamplingDraws.addBootstrapRow(to: row, draw: draw, generator: &generator)
        }
    }

    /// `W · effects` for a `rows` × P matrix W whose rows `fill` writes in order (row index, row),
    /// a block of 256 rows at a time, so that W is never held whole.
    static func blockedProduct(rows total: Int, with effects: Matrix, fill: (Int, UnsafeMutableBufferPointer<Float>) -> Void) -> Matrix {
        let p = effects.rows, k = effects.columns
        var product = Matrix(rows: total, columns: k)
        guard total > 0, p > 0, k > 0 else { return product }
        let blockRows = min(total, 256)
        var block = [Float](repeating: 0, count: blockRows * p)
        var first = 0
        while first < total {
            let rows = min(blockRows, total - first)
            block.withUnsafeMutableBufferPointer { out in
                for local in 0..<rows { fill(first + local, UnsafeMutableBufferPointer(rebasing: out[(local * p)..<((local + 1) * p)])) }
            }
            block.withUnsafeBufferPointer { a in
                effects.values.withUnsafeBufferPointer { b in
                    product.values.withUnsafeMutableBufferPointer { c in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(k), Int32(p),
                                    1, a.baseAddress, Int32(p), b.baseAddress, Int32(k), 0, c.baseAddress! + first * k, Int32(k))
                    }
                }
            }
            first += rows
        }
        return product
    }

    /// Percentile-bootstrap intervals of each column's mean at the given two-sided level.
    public static func bootstrapIntervals(effects: Matrix, replicates: Int, level: Double, seed: UInt64, draws: ResamplingDraws? = nil)
        -> [(low: Double, high: Double)] {
        let means = bootstrapMeans(effects: effects, replicates: replicates, seed: seed, draws: draws)
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
