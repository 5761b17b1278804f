import Foundation
import Testing
@testable import Lineage

/// The statistical building blocks against closed forms, exact enumerations and naive versions.
@Suite struct StatisticsTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("StatisticsTests seed: \(seed)")
        return seed
    }()

    @Test func normalQuantileInvertsTheCDFAndMatchesTables() {
        #expect(abs(Distributions.normalQuantile(0.975) - 1.959963984540054) < 1e-9)
        #expect(abs(Distributions.normalQuantile(0.95) - 1.6448536269514722) < 1e-9)
        #expect(abs(Distributions.normalQuantile(0.8) - 0.8416212335729143) < 1e-9)
        #expect(abs(Distributions.normalQuantile(1e-6) + 4.753424308822899) < 1e-7)
        for p in stride(from: 0.001, to: 1, by: 0.0371) {
            #expect(abs(Distributions.normalCDF(Distributions.normalQuantile(p)) - p) < 1e-12)
        }
    }

    @Test func binomialTailMatchesDirectSum() {
        // Direct: C(n, i) by the multiplicative formula in Double.
        func choose(_ n: Int, _ k: Int) -> Double { (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) } }
        for n in [0, 1, 5, 12, 30] {
            for k in 0...(n + 1) {
                let direct = k > n ? 0 : (k...n).reduce(0.0) { $0 + choose(n, $1) } / pow(2, Double(n))
                #expect(abs(Distributions.binomialHalfUpperTail(atLeast: k, of: n) - direct) < 1e-12)
            }
        }
    }

    @Test func pairedClaimTestIsMcNemarExact() {
        // 7 probes where only the suspect claims, 1 where only the control does: P(Bin(8, 1/2) ≥ 7) = 9/256.
        let suspect = [true, true, true, true, true, true, true, false, true, false]
        let control = [false, false, false, false, false, false, false, true, true, false]
        let outcome = PairedClaimTest.test(suspect: suspect, control: control)
        #expect(outcome.suspectOnly == 7 && outcome.controlOnly == 1)
        #expect(abs(outcome.pValue - 9.0 / 256) < 1e-12)
        #expect(PairedClaimTest.test(suspect: [false, false], control: [false, true]).pValue == 1)
    }

    @Test func signFlipMatchesExactEnumeration() {
        var rng = SeededGenerator(seed: seed)
        for _ in 0..<4 {
            let effects = (0..<10).map { _ in Double(rng.nextSignedUnitFloat()) + 0.3 }
            let exact = PairedResampling.exactSignFlipPValue(effects)
            let b = 20_000
            let outcome = PairedResampling.signFlip(effects: Matrix(rows: 10, columns: 1, values: effects.map(Float.init)),
                                                    replicates: b, seed: rng.next())
            // Monte Carlo error of a proportion over B draws, plus the +1 of (1 + #)/(1 + B).
            let tolerance = 4 * (exact * (1 - exact) / Double(b)).squareRoot() + 2 / Double(b)
            #expect(abs(outcome.pValues[0] - exact) <= tolerance, "exact \(exact), resampled \(outcome.pValues[0])")
            #expect(abs(outcome.observed[0] - effects.reduce(0, +) / 10) < 1e-6)
        }
    }

    /// The null means against a naive sign matrix drawn from the same generator bit by bit (bit i of
    /// each 64-bit draw is probe i's sign), in Double, for probe counts around the byte and word
    /// boundaries, and replicate and column counts across the blocks of replicates the tables are
    /// added in (400 columns: blocks of 163 replicates).
    @Test func signFlipNullMeansEqualANaiveSignMatrix() {
        var rng = SeededGenerator(seed: seed)
        for (p, b, k) in [(1, 5, 3), (7, 255, 3), (8, 256, 3), (63, 300, 3), (64, 511, 3), (65, 512, 3), (130, 700, 3), (70, 400, 400)] {
            let effects = Matrix(rows: p, columns: k, values: (0..<(p * k)).map { _ in rng.nextSignedUnitFloat() })
            let testSeed = rng.next()
            let outcome = PairedResampling.signFlip(effects: effects, replicates: b, seed: testSeed)
            var generator = SeededGenerator(seed: testSeed)
            for r in 0..<b {
                var signs: [Double] = []
                while signs.count < p {
                    let bits = generator.next()
                    for j in 0..<min(64, p - signs.count) { signs.append((bits >> UInt64(j)) & 1 == 1 ? -1 : 1) }
                }
                for c in 0..<k {
                    let naive = (0..<p).reduce(0.0) { $0 + signs[$1] * Double(effects[$1, c]) } / Double(p)
                    #expect(abs(Double(outcome.null[r, c]) - naive) < 1e-5, "p \(p), replicate \(r), column \(c)")
                }
            }
            for c in 0..<k {
                let mean = (0..<p).reduce(0.0) { $0 + Double(effects[$1, c]) } / Double(p)
                #expect(abs(outcome.observed[c] - mean) < 1e-5)
            }
        }
    }

    /// The tiled kernel (sixteen columns, eight groups of probes at a time) gives the very Floats of
    /// the kernel it replaced, which added each replicate's whole row per group: every p-value and
    /// interval Lineage has reported stays what it was. Shapes straddle the tiles (15, 16, 17
    /// columns), the passes over groups (64 and 65 groups) and a short last group.
    @Test func tiledSignedMeansAreTheRowAtATimeKernelsFloats() {
        var rng = SeededGenerator(seed: seed)
        for (p, b, k) in [(1, 3, 1), (9, 50, 15), (512, 99, 16), (517, 130, 17), (805, 300, 78), (70, 0, 5)] {
            let effects = Matrix(rows: p, columns: k, values: (0..<(p * k)).map { _ in rng.nextSignedUnitFloat() })
            let testSeed = rng.next()
            let tiled = PairedResampling.signedMeans(effects: effects, replicates: b, seed: testSeed)
            let reference = Self.rowAtATimeSignedMeans(effects: effects, replicates: b, seed: testSeed)
            #expect(tiled.values.map(\.bitPattern) == reference.values.map(\.bitPattern), "p \(p), replicates \(b), columns \(k)")
        }
    }

    /// The kernel `signedMeans` had until the tiled one, kept as the reference the tiled one must equal.
    static func rowAtATimeSignedMeans(effects: Matrix, replicates: Int, seed: UInt64) -> Matrix {
        let p = effects.rows, k = effects.columns
        var means = Matrix(rows: replicates + 1, columns: k)
        guard p > 0, k > 0 else { return means }
        let words = (p + 63) / 64
        var generator = SeededGenerator(seed: seed)
        var bits = [UInt64](repeating: 0, count: replicates * words)
        for i in bits.indices { bits[i] = generator.next() }
        let unit = 1 / Float(p)
        let groups = (p + 7) / 8
        let blockRows = max(64, min(replicates + 1, 65_536 / k))
        var table = [Float](repeating: 0, count: 256 * k)
        bits.withUnsafeBufferPointer { bits in
            effects.values.withUnsafeBufferPointer { e in
                table.withUnsafeMutableBufferPointer { table in
                    means.values.withUnsafeMutableBufferPointer { out in
                        let table = table.baseAddress!, out = out.baseAddress!, e = e.baseAddress!
                        var first = 0
                        while first <= replicates {
                            let last = min(replicates + 1, first + blockRows)
                            for g in 0..<groups {
                                let width = min(8, p - 8 * g)
                                // Entry 0: every probe of the group positive; entry b: entry b without its
                                // highest bit h, with probe h's effect turned negative.
                                for c in 0..<k { table[c] = 0 }
                                for j in 0..<width {
                                    let row = e + (8 * g + j) * k
                                    for c in 0..<k { table[c] += row[c] * unit }
                                }
                                for b in 1..<(1 << width) {
                                    let h = Int.bitWidth - 1 - b.leadingZeroBitCount
                                    let from = table + (b ^ (1 << h)) * k, to = table + b * k, row = e + (8 * g + h) * k
                                    let twice = 2 * unit
                                    for c in 0..<k { to[c] = from[c] - row[c] * twice }
                                }
                                let word = g >> 3, shift = UInt64((g & 7) * 8), mask = UInt64((1 << width) - 1)
                                for r in first..<last {
                                    let byte = r == 0 ? 0 : Int((bits[(r - 1) * words + word] >> shift) & mask)
                                    let from = table + byte * k, to = out + r * k
                                    for c in 0..<k { to[c] += from[c] }
                                }
                            }
                            first = last
                        }
                    }
                }
            }
        }
        return means
    }

    /// The max-T test over views against the exact enumeration of all 2^P joint sign vectors, with
    /// views of very different scales (so that an unstandardised maximum would be dominated by one).
    @Test func maxTMatchesExactEnumeration() {
        var rng = SeededGenerator(seed: seed &+ 40)
        let p = 10, views = 3, groups = 2
        for _ in 0..<3 {
            var effects = Matrix(rows: p, columns: groups * views)
            for i in 0..<p {
                for c in 0..<(groups * views) { effects[i, c] = (rng.nextSignedUnitFloat() + 0.25) * [1, 30, 0.05][c % views] }
            }
            let b = 20_000
            let outcome = PairedResampling.signFlipMaxT(effects: effects, views: views, replicates: b, seed: rng.next())
            for g in 0..<groups {
                func standardisedMax(_ mask: Int) -> Double {
                    (0..<views).map { v in
                        let column = (0..<p).map { Double(effects[$0, g * views + v]) }
                        let rms = (column.map { $0 * $0 }.reduce(0, +) / Double(p)).squareRoot()
                        return column.enumerated().map { (mask >> $0.offset) & 1 == 0 ? $0.element : -$0.element }.reduce(0, +) / Double(p) / rms
                    }.max()!
                }
                let observed = standardisedMax(0)
                let exact = Double((0..<(1 << p)).filter { standardisedMax($0) >= observed - 1e-9 }.count) / Double(1 << p)
                let tolerance = 4 * (exact * (1 - exact) / Double(b)).squareRoot() + 2 / Double(b)
                #expect(abs(outcome.pValues[g] - exact) <= tolerance, "group \(g): exact \(exact), resampled \(outcome.pValues[g])")
                #expect(abs(outcome.observed[g] - observed) < 1e-5)
                // It pays for the choice of view: at least the p-value of the largest view alone.
                #expect(outcome.viewPValues[g][outcome.largestView[g]] <= outcome.pValues[g])
            }
        }
    }

    /// With one view, the max-T test is the plain sign-flip test: same signs, same p-values, up to a
    /// replicate whose mean ties the observed one and which Float rounding of mean / RMS (the max-T
    /// statistic) orders the other way (seen: 0.487 against 0.488 with B = 999).
    @Test func maxTWithOneViewIsThePlainSignFlipTest() {
        var rng = SeededGenerator(seed: seed &+ 41)
        let effects = Matrix(rows: 37, columns: 4, values: (0..<(37 * 4)).map { _ in rng.nextSignedUnitFloat() + 0.1 })
        let s = rng.next()
        let plain = PairedResampling.signFlip(effects: effects, replicates: 999, seed: s)
        let maxT = PairedResampling.signFlipMaxT(effects: effects, views: 1, replicates: 999, seed: s)
        for (a, b) in zip(plain.pValues, maxT.pValues) { #expect(abs(a - b) <= 2.0 / 1000 + 1e-12, "seed \(seed): \(a) vs \(b)") }
        #expect(maxT.viewPValues.map { $0[0] } == maxT.pValues)
    }

    @Test func signFlipPValueIsOneForZeroEffectsAndSmallestPossibleForHugeOnes() {
        let zeros = PairedResampling.signFlip(effects: Matrix(rows: 30, columns: 1), replicates: 199, seed: seed)
        #expect(zeros.pValues[0] == 1)
        let huge = PairedResampling.signFlip(effects: Matrix(rows: 30, columns: 1, repeating: 1), replicates: 199, seed: seed)
        #expect(huge.pValues[0] == 1.0 / 200)
    }

    /// The batch's shared bootstrap weights give exactly the means each study draws alone, the first
    /// time (drawn and kept) and the next (read back), and nothing is kept past the capacity.
    @Test func sharedBootstrapDrawsAreTheStudysOwn() {
        var rng = SeededGenerator(seed: seed &+ 90)
        let draws = ResamplingDraws()
        let tiny = ResamplingDraws(capacity: 16)
        for (p, b, k) in [(1, 7, 1), (37, 300, 2), (300, 260, 5)] {
            let effects = Matrix(rows: p, columns: k, values: (0..<(p * k)).map { _ in rng.nextSignedUnitFloat() })
            let s = rng.next()
            let alone = PairedResampling.bootstrapMeans(effects: effects, replicates: b, seed: s)
            for shared in [draws, draws, tiny] {
                #expect(PairedResampling.bootstrapMeans(effects: effects, replicates: b, seed: s, draws: shared).values == alone.values)
            }
        }
    }

    @Test func bootstrapIntervalCoversTheNormalTheoryInterval() {
        var rng = SeededGenerator(seed: seed)
        let p = 400
        let values = (0..<p).map { _ in Float(rng.nextSignedUnitFloat()) }   // uniform(-1, 1): sd 1/√3
        let mean = values.reduce(0) { $0 + Double($1) } / Double(p)
        let interval = PairedResampling.bootstrapIntervals(effects: Matrix(rows: p, columns: 1, values: values),
                                                           replicates: 4_000, level: 0.95, seed: rng.next())[0]
        let halfWidth = 1.959964 * (1 / 3.0).squareRoot() / Double(p).squareRoot()
        #expect(abs((interval.low + interval.high) / 2 - mean) < 0.25 * halfWidth)
        #expect(abs((interval.high - interval.low) / 2 - halfWidth) < 0.15 * halfWidth)
    }

    @Test func holmMatchesTheStepDownDefinition() {
        let p = [0.01, 0.04, 0.03, 0.2]
        // Sorted 0.01, 0.03, 0.04, 0.2 → 0.04, 0.09, 0.09 (monotone), 0.2.
        let adjusted = MultipleTesting.holm(p)
        let expected = [0.04, 0.09, 0.09, 0.2]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-12) }
    }

    @Test func taroneMatchesItsClosedForm() {
        // A sign-flip test (floor 1/10,000) and an exact test on 4 discordant probes (floor 0.5^4 =
        // 0.0625 > α): M(1) = 1, so K = 1 and the sign-flip test gets the whole α.
        var t = MultipleTesting.tarone([0.03, 0.2], minimumAchievable: [1e-4, 0.0625], alpha: 0.05)
        #expect(t.familySize == 1 && t.kept == [true, false])
        #expect(abs(t.adjusted[0] - 0.03) < 1e-12 && t.adjusted[1] == 1)
        // 5 discordant probes (0.03125 ≤ α but > α/2): M(1) = 2 > 1, M(2) = 1 ≤ 2, so K = 2 and
        // only the sign-flip test is kept, at α/2.
        t = MultipleTesting.tarone([0.03, 0.2], minimumAchievable: [1e-4, 0.03125], alpha: 0.05)
        #expect(t.familySize == 2 && t.kept == [true, false])
        #expect(abs(t.adjusted[0] - 0.06) < 1e-12 && t.adjusted[1] == 1)
        // 6 discordant probes (0.015625 ≤ α/2): both kept, plain Bonferroni.
        t = MultipleTesting.tarone([0.03, 0.2], minimumAchievable: [1e-4, 0.015625], alpha: 0.05)
        #expect(t.familySize == 2 && t.kept == [true, true])
        #expect(abs(t.adjusted[0] - 0.06) < 1e-12 && abs(t.adjusted[1] - 0.4) < 1e-12)
        // Three tests, floors 1e-4, 0.02, 0.03: M(1) = 3, M(2) = 2 ≤ 2, so K = 2, the third left out.
        t = MultipleTesting.tarone([0.01, 0.5, 0.03], minimumAchievable: [1e-4, 0.02, 0.03], alpha: 0.05)
        #expect(t.familySize == 2 && t.kept == [true, true, false])
        #expect(abs(t.adjusted[0] - 0.02) < 1e-12 && t.adjusted[1] == 1 && t.adjusted[2] == 1)
        // Continuous tests (floor 0): Bonferroni over all.
        t = MultipleTesting.tarone([0.01, 0.3, 0.02], minimumAchievable: [0, 0, 0], alpha: 0.05)
        #expect(t.familySize == 3 && t.kept == [true, true, true])
        for (a, e) in zip(t.adjusted, [0.03, 0.9, 0.06]) { #expect(abs(a - e) < 1e-12) }
    }

    @Test func powerFormulaMatchesTheNormalApproximationAndInvertsIt() {
        // d = 0.25, P = 100, α = 0.05: Φ(2.5 − 1.645) = Φ(0.855).
        #expect(abs(PowerAnalysis.power(standardizedEffect: 0.25, probes: 100, alpha: 0.05) - Distributions.normalCDF(2.5 - 1.6448536269514722)) < 1e-12)
        let needed = PowerAnalysis.probesNeeded(standardizedEffect: 0.25, alpha: 0.025)
        #expect(PowerAnalysis.power(standardizedEffect: 0.25, probes: needed, alpha: 0.025) >= 0.8)
        #expect(PowerAnalysis.power(standardizedEffect: 0.25, probes: needed - 1, alpha: 0.025) < 0.8)
    }

    @Test func lengthAdjustmentRecoversAKnownLengthEffect() {
        // Similarity = 0.5 − 0.2·|Δ log length| + per-probe constant + noise: the fit finds −0.2.
        var rng = SeededGenerator(seed: seed)
        let models = (0..<5).map { "m\($0)" }
        var sims: [Matrix] = []
        var lengths: [[Float]] = []
        for _ in 0..<200 {
            let l = (0..<5).map { _ in 4 + 2 * rng.nextSignedUnitFloat() }
            let offset = 0.1 * rng.nextSignedUnitFloat()
            var m = Matrix(rows: 5, columns: 5)
            for i in 0..<5 {
                m[i, i] = 1
                for j in (i + 1)..<5 {
                    let v = 0.5 + offset - 0.2 * abs(l[i] - l[j]) + 0.01 * rng.nextSignedUnitFloat()
                    m[i, j] = v
                    m[j, i] = v
                }
            }
            sims.append(m)
            lengths.append(l)
        }
        let data = ProbeSimilarities(models: models, probes: (0..<200).map { .init(probeID: Int64($0), probeHash: "h\($0)", turns: 1) },
                                     similarities: sims, logLengths: lengths, identityClaims: [], cleaning: [:], samples: [:])
        let fit = LengthAdjustment.fit(data)
        #expect(abs(fit.coefficients[0] + 0.2) < 0.01)
        #expect(abs(fit.coefficients[1]) < 0.01 && abs(fit.coefficients[2]) < 0.01)
        #expect(fit.explainedVariance > 0.9)
        let adjusted = fit.apply(to: data)
        // After adjustment, what is left within a probe is noise.
        let spread = adjusted.similarities.map { m in abs(m[0, 1] - m[2, 3]) }.max()!
        #expect(spread < 0.05)
    }
}
