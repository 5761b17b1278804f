import Foundation

/// The MMD two-sample test of Gao, Liang & Guestrin (2024) on completions of the same prompts:
/// do two APIs sample from the same distribution over completions, prompt by prompt?
///
/// The kernel is zero between completions of different prompts, so the statistic is
///   Σ K(xᵢ, xⱼ) / n_XX − 2 Σ K(xᵢ, yⱼ) / n_XY + Σ K(yᵢ, yⱼ) / n_YY
/// over pairs of the same prompt (i ≠ j within a sample), exactly as the reference
/// implementation's `_mmd` computes it. The null distribution comes from permuting the A/B labels
/// within each prompt (exact under the null that, for every prompt, A and B sample the same
/// distribution); p = (1 + #{permuted ≥ observed}) / (1 + B).
public enum MMDTest {
    public struct Outcome: Sendable {
        public var statistic: Double
        public var pValue: Double
        public var null: [Double]
        /// Prompts where both models have at least one completion, and where both have two or more.
        public var prompts: Int
        public var promptsWithRepeats: Int
        public var samplesA: Int
        public var samplesB: Int
        /// Each prompt's own MMD estimate, indexed like the input (nil where a model has fewer than two completions).
        public var perPrompt: [Double?] = []
        /// Percentile bootstrap interval of the statistic over prompts (nil with too few prompts).
        public var interval: (low: Double, high: Double)?
        public var bootstrapReplicates = 0
    }

    public struct InsufficientSamples: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// `a[p]` and `b[p]` are the two models' completions of prompt p.
    public static func run(a: [[String]], b: [[String]], kernel: StringKernel, maxCharacters: Int? = nil,
                           permutations: Int, seed: UInt64, bootstrap: Int = 2000, level: Double = 0.95) throws -> Outcome {
        precondition(a.count == b.count, "both models need the same prompts")
        let prompts = a.indices.filter { !a[$0].isEmpty && !b[$0].isEmpty }
        let length = prompts.flatMap { a[$0] + b[$0] }.map(\.unicodeScalars.count).max().map { min($0, maxCharacters ?? .max) } ?? 0
        // Per prompt: the pooled completions (A first) and their kernel matrix.
        var blocks: [(na: Int, k: [[Double]])] = []
        var nXX = 0, nXY = 0, nYY = 0
        for p in prompts {
            let pooled = StringKernel.sequences(a[p] + b[p], length: length)
            blocks.append((a[p].count, kernel.matrix(pooled)))
            let na = a[p].count, nb = b[p].count
            nXX += na * (na - 1)
            nYY += nb * (nb - 1)
            nXY += na * nb
        }
        guard nXX > 0, nYY > 0 else {
            throw InsufficientSamples(description: "the MMD test needs at least two completions of the same prompt from each model "
                + "(collect several samples per probe at a temperature above 0); these have one per prompt")
        }
        func statistic(_ labels: [[Bool]]) -> Double {
            var xx = 0.0, xy = 0.0, yy = 0.0
            for (block, isA) in zip(blocks, labels) {
                let n = isA.count
                for i in 0..<n {
                    for j in 0..<n where i != j {
                        let v = block.k[i][j]
                        switch (isA[i], isA[j]) {
                        case (true, true): xx += v
                        case (false, false): yy += v
                        case (true, false): xy += v
                        case (false, true): break
                        }
                    }
                }
            }
            return xx / Double(nXX) - 2 * xy / Double(nXY) + yy / Double(nYY)
        }
        let observedLabels = blocks.map { block in (0..<block.k.count).map { $0 < block.na } }
        let observed = statistic(observedLabels)
        // Per prompt: its sums of within-A, across and within-B kernel values under the observed labels.
        let sums: [(xx: Double, xy: Double, yy: Double, nXX: Int, nXY: Int, nYY: Int)] = zip(blocks, observedLabels).map { block, isA in
            var xx = 0.0, xy = 0.0, yy = 0.0
            for i in isA.indices {
                for j in isA.indices where i != j {
                    switch (isA[i], isA[j]) {
                    case (true, true): xx += block.k[i][j]
                    case (false, false): yy += block.k[i][j]
                    case (true, false): xy += block.k[i][j]
                    case (false, true): break
                    }
                }
            }
            let na = block.na, nb = isA.count - block.na
            return (xx, xy, yy, na * (na - 1), na * nb, nb * (nb - 1))
        }
        var perPrompt = [Double?](repeating: nil, count: a.count)
        for (p, s) in zip(prompts, sums) where s.nXX > 0 && s.nYY > 0 {
            perPrompt[p] = s.xx / Double(s.nXX) - 2 * s.xy / Double(s.nXY) + s.yy / Double(s.nYY)
        }
        // Prompts drawn with replacement, the statistic recomputed from their sums.
        var interval: (low: Double, high: Double)?
        if sums.count >= 2 && bootstrap > 0 {
            var generator = SeededGenerator(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
            var replicates: [Double] = []
            replicates.reserveCapacity(bootstrap)
            for _ in 0..<bootstrap {
                var xx = 0.0, xy = 0.0, yy = 0.0, nXX = 0, nXY = 0, nYY = 0
                for _ in sums.indices {
                    let s = sums[Int.random(in: 0..<sums.count, using: &generator)]
                    xx += s.xx; xy += s.xy; yy += s.yy; nXX += s.nXX; nXY += s.nXY; nYY += s.nYY
                }
                guard nXX > 0, nYY > 0, nXY > 0 else { continue }
                replicates.append(xx / Double(nXX) - 2 * xy / Double(nXY) + yy / Double(nYY))
            }
            if replicates.count >= bootstrap / 2 {
                interval = PairedResampling.percentileInterval(replicates.sorted(), level: level)
            }
        }
        var generator = SeededGenerator(seed: seed)
        var null: [Double] = []
        null.reserveCapacity(permutations)
        var extreme = 0
        for _ in 0..<permutations {
            let labels = observedLabels.map { $0.shuffled(using: &generator) }
            let value = statistic(labels)
            null.append(value)
            if value >= observed - 1e-12 { extreme += 1 }
        }
        return Outcome(statistic: observed, pValue: Double(1 + extreme) / Double(1 + permutations), null: null,
                       prompts: prompts.count, promptsWithRepeats: prompts.filter { a[$0].count > 1 && b[$0].count > 1 }.count,
                       samplesA: prompts.reduce(0) { $0 + a[$1].count }, samplesB: prompts.reduce(0) { $0 + b[$1].count },
                       perPrompt: perPrompt, interval: interval, bootstrapReplicates: interval == nil ? 0 : bootstrap)
    }
}
