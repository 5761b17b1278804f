import Foundation

/// The combinatorial core of the served-sample test: per prompt, n answers' similarities to the
/// suspect, m of them the served ones. Under the null the served labels are a uniformly random
/// m-subset of the n, independently per prompt, whatever the similarity values (ties included).
///
/// Per prompt the score is the served answers' mean mid-rank among the n, rescaled to [0, 1]
/// (0: least similar, 1: most similar; 1/2 expected under the null); the statistic is the mean
/// score over prompts. Mid-ranks are a function of the values and the labels, so permuting the
/// labels with the values held fixed gives the statistic's exact conditional null distribution:
/// ties cost power, never validity.
public struct RankPermutationTest: Sendable {
    public struct Prompt: Sendable, Equatable {
        /// Similarity of each answer to the suspect.
        public var similarities: [Double]
        /// Indices of the served answers among `similarities` (at least one; at least one other).
        public var served: [Int]

        public init(similarities: [Double], served: [Int]) {
            self.similarities = similarities
            self.served = served
        }
    }

    public let prompts: [Prompt]
    /// Per prompt, each answer's mid-rank rescaled to [0, 1]: (mid-rank − 1) / (n − 1).
    public let scaledRanks: [[Double]]

    public init(prompts: [Prompt]) {
        precondition(prompts.allSatisfy { $0.similarities.count >= 2 && !$0.served.isEmpty && $0.served.count < $0.similarities.count },
                     "each prompt needs a served answer and at least one fresh one")
        self.prompts = prompts
        scaledRanks = prompts.map { prompt in
            let n = prompt.similarities.count
            return Self.midRanks(prompt.similarities).map { ($0 - 1) / Double(n - 1) }
        }
    }

    /// Mid-ranks (1-based; tied values share the mean of their ranks).
    public static func midRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for i in start...end { ranks[order[i]] = rank }
            start = end + 1
        }
        return ranks
    }

    /// Per prompt, the served answers' mean scaled rank.
    public var promptScores: [Double] {
        zip(prompts, scaledRanks).map { prompt, ranks in prompt.served.reduce(0) { $0 + ranks[$1] } / Double(prompt.served.count) }
    }

    /// Mean over prompts of the served answers' scaled rank.
    public var statistic: Double { Self.mean(promptScores) }

    /// The Monte Carlo permutation test: B statistics with the served labels redrawn uniformly per
    /// prompt; p = (1 + #{null ≥ observed}) / (1 + B), valid for any B.
    public func monteCarlo(replicates: Int, seed: UInt64) -> (pValue: Double, null: [Double]) {
        var generator = SeededGenerator(seed: seed)
        let observed = statistic
        var null: [Double] = []
        null.reserveCapacity(replicates)
        var extreme = 0
        var scratch: [Int] = []
        for _ in 0..<replicates {
            var total = 0.0
            for (prompt, ranks) in zip(prompts, scaledRanks) {
                let n = ranks.count, m = prompt.served.count
                if m == 1 {
                    total += ranks[Int(generator.next() % UInt64(n))]
                } else {
                    // Partial Fisher–Yates: the first m of a random permutation are a uniform m-subset.
                    scratch = Array(0..<n)
                    var sum = 0.0
                    for i in 0..<m {
                        let j = i + Int(generator.next() % UInt64(n - i))
                        scratch.swapAt(i, j)
                        sum += ranks[scratch[i]]
                    }
                    total += sum / Double(m)
                }
            }
            let value = total / Double(prompts.count)
            null.append(value)
            if value >= observed - Self.tolerance { extreme += 1 }
        }
        return (Double(1 + extreme) / Double(1 + replicates), null)
    }

    /// Whether `exactPValue` can run: one served answer and the same number of answers on every
    /// prompt, and a convolution of modest size.
    public var exactIsAvailable: Bool {
        guard let n = prompts.first?.similarities.count else { return false }
        guard prompts.allSatisfy({ $0.served.count == 1 && $0.similarities.count == n }) else { return false }
        let support = prompts.count * 2 * (n - 1) + 1
        return Double(support) * Double(prompts.count) * Double(n) <= 4e8
    }

    /// The exact p-value P(statistic ≥ observed) under the null, by convolving the prompts' uniform
    /// distributions over their doubled mid-ranks (integers 0…2(n − 1)); `exactIsAvailable` first.
    public func exactPValue() -> Double {
        precondition(exactIsAvailable, "the exact test needs one served answer and the same n on every prompt")
        let n = prompts[0].similarities.count
        let maximum = 2 * (n - 1)
        var distribution = [1.0]
        var observed = 0
        for prompt in prompts {
            let doubled = Self.midRanks(prompt.similarities).map { Int(($0 - 1) * 2 + 0.5) }
            observed += doubled[prompt.served[0]]
            var counts = [Double](repeating: 0, count: maximum + 1)
            for value in doubled { counts[value] += 1 / Double(n) }
            var next = [Double](repeating: 0, count: distribution.count + maximum)
            for (value, probability) in counts.enumerated() where probability > 0 {
                for (sum, mass) in distribution.enumerated() where mass > 0 { next[sum + value] += mass * probability }
            }
            distribution = next
        }
        return min(1, distribution[observed...].reduce(0, +))
    }

    /// Replicates within this distance of the observed statistic count as ties (floating-point sums
    /// of the same ranks in another order).
    static let tolerance = 1e-12

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
}
