import Foundation

/// One answer in a served-sample study: its text and how it was produced.
public struct ServedSampleAnswer: Codable, Sendable, Hashable {
    public var text: String
    /// The model snapshot that produced it (nil: not recorded).
    public var snapshot: String?
    public var parameters: SamplingParameters
    /// The record's identity (a response's content hash): one record cannot be served and fresh.
    public var contentHash: String

    public init(text: String, snapshot: String?, parameters: SamplingParameters, contentHash: String) {
        self.text = text
        self.snapshot = snapshot
        self.parameters = parameters
        self.contentHash = contentHash
    }
}

/// One prompt of a served-sample study: the answer(s) served, fresh answers drawn afterwards from
/// the same snapshot with the same parameters, and the suspect's answer(s).
public struct ServedSamplePrompt: Sendable, Equatable {
    public var probeID: String
    public var probeHash: String
    public var category: String?
    public var served: [ServedSampleAnswer]
    public var fresh: [ServedSampleAnswer]
    public var suspect: [String]

    public init(probeID: String, probeHash: String, category: String? = nil, served: [ServedSampleAnswer],
                fresh: [ServedSampleAnswer], suspect: [String]) {
        self.probeID = probeID
        self.probeHash = probeHash
        self.category = category
        self.served = served
        self.fresh = fresh
        self.suspect = suspect
    }
}

public struct ServedSampleOptions: Sendable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// Exact when every prompt has one served answer and the same number of fresh ones, else Monte Carlo.
        case auto
        case exact
        case monteCarlo = "monte-carlo"
    }

    public var alpha = 0.05
    public var replicates = 9_999
    public var bootstrap = 2_000
    public var seed: UInt64 = 20_240_601
    public var method: Method = .auto
    public var similarity = CharacterNGramCosine(n: 4)
    /// Accept a fresh answer whose text equals a served one (short answers can coincide by chance).
    public var allowIdenticalAnswers = false
    /// A mean rank excess this large matters: below it a non-rejection is `no-evidence`. The excess is
    /// a mean over every served prompt, so a student that learnt from a share d of them shows about d
    /// times its full effect: on the zoo, 0.060 at full dose, and the 10% student's interval reached only
    /// 0.042, under the 0.05 this once was, so it was called no-evidence. 0.005 is a 10% student of that
    /// strength; ruling it out takes thousands of prompts, and short of them the answer is inconclusive.
    public var effectThatMatters = 0.005

    public init() {}
}

/// Input that breaks the exchangeability the test rests on: names the prompt and the fix.
public struct ServedSampleError: Error, CustomStringConvertible, Sendable, Equatable {
    public var probeID: String?
    public var problem: String
    public var fix: String

    public init(probeID: String?, problem: String, fix: String) {
        self.probeID = probeID
        self.problem = problem
        self.fix = fix
    }

    public var description: String { (probeID.map { "prompt \($0): " } ?? "") + problem + "\n  fix: " + fix }
}

/// One prompt's ranks, for reports and for anyone checking the statistic by hand.
public struct ServedSamplePromptRank: Codable, Sendable, Equatable {
    public var probeID: String
    public var probeHash: String
    /// Similarity of the suspect's answers to each served answer (mean over the suspect's samples).
    public var servedSimilarities: [Double]
    public var freshSimilarities: [Double]
    /// The served answers' mean mid-rank among all, rescaled to [0, 1] (1/2 expected under the null).
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case probeID = "probeId", probeHash, servedSimilarities, freshSimilarities, score
    }
}

public struct ServedSampleOutcome: Codable, Sendable, Equatable {
    public var test: HypothesisTestResult
    public var prompts: [ServedSamplePromptRank]
    /// Prompts on which a served answer is strictly the most similar to the suspect's.
    public var servedMostSimilar: Int
    public var assumptions: [String]
    /// "exact" or "monte-carlo".
    public var pValueMethod: String
}

/// The served-sample test: did the suspect learn from the very answers a provider served?
///
/// Given the prompt, the served answer y and fresh answers y′₁…y′ₖ drawn later from the same
/// snapshot with the same sampling parameters are exchangeable, unless the suspect's training saw
/// y. So the rank of sim(suspect, y) among sim(suspect, y′ⱼ) is uniform under the null, whatever
/// the similarity, even if the suspect learnt from other samples of the same model. The ranks are
/// combined over prompts by a permutation of which answer was served (`RankPermutationTest`):
/// exact by convolution when every prompt has one served answer and the same k, else Monte Carlo.
public enum ServedSampleTest {
    public static let name = "served-sample rank test"
    public static let nullHypothesis = "Given each prompt, the served answers and the fresh answers are exchangeable: the suspect did not learn from the served answers (it may have learnt from other samples of the same model)."
    public static let alternative = "The suspect's answers resemble the answers it was served more than fresh answers of the same model."
    public static let assumptions = [
        "The fresh answers come from the same model snapshot with the same sampling parameters as the served ones (checked where recorded).",
        "Sampling is random (temperature > 0), and each fresh answer is an independent draw (distinct seeds, none equal to the served seed, no seed shared by two prompts' served or fresh answers).",
        "The fresh answers were drawn independently of the suspect (e.g. not chosen after seeing its answers), and the similarity treats served and fresh answers alike.",
        "Prompts are independent units: one prompt's served label says nothing about another's.",
    ]

    /// Checks that the inputs keep served and fresh answers exchangeable; throws the first problem.
    public static func validate(_ prompts: [ServedSamplePrompt], options: ServedSampleOptions = ServedSampleOptions()) throws {
        guard !prompts.isEmpty else {
            throw ServedSampleError(probeID: nil, problem: "no prompt has a served answer, fresh answers and a suspect answer",
                                    fix: "answer the served prompts with the suspect and collect fresh samples of them (lineage run)")
        }
        var seen = Set<String>()
        for prompt in prompts {
            let id = prompt.probeID
            guard seen.insert(prompt.probeHash).inserted else {
                throw ServedSampleError(probeID: id, problem: "the prompt appears twice", fix: "give each prompt once, with all its served answers")
            }
            guard !prompt.served.isEmpty else {
                throw ServedSampleError(probeID: id, problem: "no served answer", fix: "leave the prompt out, or import its served log record")
            }
            guard !prompt.fresh.isEmpty else {
                throw ServedSampleError(probeID: id, problem: "no fresh answer (at least 1 is needed; 5 or more give power)",
                                        fix: "collect fresh samples from the same snapshot: lineage run PROBES --model FRESH --samples 5 --temperature T")
            }
            guard !prompt.suspect.isEmpty else {
                throw ServedSampleError(probeID: id, problem: "no suspect answer", fix: "ask the suspect this prompt, or leave the prompt out")
            }
            let servedHashes = Set(prompt.served.map(\.contentHash))
            if let reused = prompt.fresh.first(where: { servedHashes.contains($0.contentHash) }) {
                throw ServedSampleError(probeID: id, problem: "the served answer \(reused.contentHash.prefix(12)) is also used as a fresh sample",
                                        fix: "fresh samples must be new draws: collect them with lineage run under another model name than the served log")
            }
            if !options.allowIdenticalAnswers {
                let servedTexts = Set(prompt.served.map(\.text))
                if prompt.fresh.contains(where: { servedTexts.contains($0.text) }) {
                    throw ServedSampleError(probeID: id, problem: "a fresh answer is word for word a served answer (a copied record, or a repeated seed?)",
                                            fix: "draw fresh samples with new seeds; if these are genuine independent draws of a short answer, allow it (--allow-identical-answers): ties then cost power, not validity")
                }
            }
            for served in prompt.served {
                guard let temperature = served.parameters.temperature else {
                    throw ServedSampleError(probeID: id, problem: "the served answer records no temperature",
                                            fix: "state the sampling parameters in the served log (params.temperature)")
                }
                guard temperature > 0 else {
                    throw ServedSampleError(probeID: id, problem: "the served answer was sampled at temperature 0: fresh answers would repeat it, and served and fresh are not exchangeable",
                                            fix: "the test needs random sampling; leave greedy (temperature 0) traffic out")
                }
                for fresh in prompt.fresh {
                    if let a = served.snapshot, let b = fresh.snapshot, a != b {
                        throw ServedSampleError(probeID: id, problem: "served by snapshot \(a) but fresh answers come from \(b)",
                                                fix: "collect fresh samples from snapshot \(a)")
                    }
                    if served.snapshot == nil || fresh.snapshot == nil {
                        throw ServedSampleError(probeID: id, problem: "the model snapshot of the \(served.snapshot == nil ? "served" : "fresh") answers is not recorded",
                                                fix: "record the snapshot (served log: model_snapshot; fresh model: its provider model id, or --fresh-snapshot)")
                    }
                    let (s, f) = (served.parameters, fresh.parameters)
                    if s.temperature != f.temperature || s.topP != f.topP || s.maxTokens != f.maxTokens {
                        throw ServedSampleError(probeID: id, problem: "sampling parameters differ: served \(s.key), fresh \(f.key)",
                                                fix: "collect fresh samples with the served parameters (lineage run --temperature, --top-p, --max-tokens)")
                    }
                    if let seed = s.seed, f.seed == seed {
                        throw ServedSampleError(probeID: id, problem: "a fresh answer used the served answer's seed \(seed): it is a replay, not a fresh draw",
                                                fix: "collect fresh samples with other seeds (lineage run --seed)")
                    }
                }
            }
            let seeds = prompt.fresh.compactMap(\.parameters.seed)
            if Set(seeds).count < seeds.count {
                throw ServedSampleError(probeID: id, problem: "two fresh answers share a seed: they are not independent draws",
                                        fix: "give each fresh sample its own seed (lineage run gives each probe and sample its own)")
            }
        }
        // Across prompts: answers drawn with one seed share one random stream, so whether they came out
        // typical or odd is common to every prompt that used it, and the prompts' ranks are no longer
        // independent (on the real zoo, every null suspect scored p >= 0.95, and three of four students p >= 0.93, when one seed drew all the
        // served answers and one seed each fresh sample).
        for (role, pick) in [("served", { (p: ServedSamplePrompt) in p.served }), ("fresh", { (p: ServedSamplePrompt) in p.fresh })] {
            var bySeed: [Int: [String]] = [:]
            for prompt in prompts { for seed in Set(pick(prompt).compactMap(\.parameters.seed)) { bySeed[seed, default: []].append(prompt.probeID) } }
            if let (seed, ids) = bySeed.filter({ $0.value.count > 1 }).max(by: { ($0.value.count, -$0.key) < ($1.value.count, -$1.key) }) {
                throw ServedSampleError(probeID: ids[0], problem: "the \(role) answers of \(ids.count) prompts share seed \(seed) (\(ids.prefix(3).joined(separator: ", "))\(ids.count > 3 ? ", ..." : "")): answers drawn with one seed share one random stream, so the prompts' ranks are not independent and the p-value would not be exact",
                                        fix: role == "served"
                                            ? "test prompts whose answers were served with distinct seeds (or none), e.g. with --probe; a client that fixes its seed defeats this test"
                                            : "collect fresh samples with a seed per prompt (lineage run derives one per probe and sample from --seed) or none")
            }
        }
    }

    public static func run(_ prompts: [ServedSamplePrompt], options: ServedSampleOptions = ServedSampleOptions()) throws -> ServedSampleOutcome {
        try validate(prompts, options: options)
        let similarity = options.similarity
        var ranked: [ServedSamplePromptRank] = []
        var tablePrompts: [RankPermutationTest.Prompt] = []
        var mostSimilar = 0
        for prompt in prompts {
            let suspects = prompt.suspect.map(similarity.profile)
            func score(_ answer: ServedSampleAnswer) -> Double {
                let profile = similarity.profile(answer.text)
                return suspects.reduce(0) { $0 + similarity.similarity($1, profile) } / Double(suspects.count)
            }
            let served = prompt.served.map(score), fresh = prompt.fresh.map(score)
            tablePrompts.append(.init(similarities: served + fresh, served: Array(0..<served.count)))
            if let best = served.max(), fresh.allSatisfy({ $0 < best }) { mostSimilar += 1 }
            ranked.append(ServedSamplePromptRank(probeID: prompt.probeID, probeHash: prompt.probeHash,
                                                 servedSimilarities: served, freshSimilarities: fresh, score: 0))
        }
        let table = RankPermutationTest(prompts: tablePrompts)
        let scores = table.promptScores
        for i in ranked.indices { ranked[i].score = scores[i] }
        let observed = table.statistic

        let useExact: Bool
        switch options.method {
        case .auto: useExact = table.exactIsAvailable
        case .monteCarlo: useExact = false
        case .exact:
            guard table.exactIsAvailable else {
                throw ServedSampleError(probeID: nil, problem: "the exact p-value needs one served answer and the same number of fresh answers on every prompt",
                                        fix: "use the Monte Carlo permutation test (--method monte-carlo, or auto)")
            }
            useExact = true
        }
        // The Monte Carlo draw always runs: it is the p-value without the exact method, and the
        // null distribution the report draws with it.
        let monteCarlo = table.monteCarlo(replicates: options.replicates, seed: options.seed)
        let pValue = useExact ? table.exactPValue() : monteCarlo.pValue

        let interval = bootstrapInterval(scores, replicates: options.bootstrap, seed: options.seed &+ 1)
        let freshCounts = Set(prompts.map(\.fresh.count))
        let kText = freshCounts.count == 1 ? "k = \(freshCounts.first!)" : "k = \(freshCounts.min()!)…\(freshCounts.max()!)"
        let method = (useExact
            ? "exact null distribution of the summed mid-ranks (convolution over prompts of uniform ranks among the \(kText) + 1 answers)"
            : "Monte Carlo permutation of which answers were served, independently per prompt (\(kText)), p = (1 + #{null ≥ observed}) / (1 + B)")
            + "; similarity: \(similarity.description)"
        let test = HypothesisTestResult(
            name: name, nullHypothesis: nullHypothesis, alternative: alternative, statistic: observed,
            pValue: pValue,
            effect: EffectEstimate(description: "mean rank excess of the served answers (their mean scaled rank − 1/2; range −1/2 to 1/2)",
                                   estimate: observed - 0.5, ciLow: interval.low - 0.5, ciHigh: interval.high - 0.5, level: 0.95,
                                   method: "percentile bootstrap over prompts, B = \(options.bootstrap)"),
            sampleSizes: ["prompts": prompts.count, "served": prompts.reduce(0) { $0 + $1.served.count },
                          "fresh": prompts.reduce(0) { $0 + $1.fresh.count }, "suspect": prompts.reduce(0) { $0 + $1.suspect.count }],
            method: method, replicates: options.replicates, seed: options.seed,
            nullDistribution: Array(monteCarlo.null.prefix(2_000)),
            perProbe: zip(prompts, scores).map { prompt, score in
                ProbeEffect(probeID: prompt.probeID, probeHash: prompt.probeHash, category: prompt.category, effect: score - 0.5)
            })
        var result = test
        result.statisticDescription = "mean over prompts of the served answers' mid-rank among all answers by similarity to the suspect, rescaled to [0, 1] (1/2 under the null)"
        // The exact test's floor: every served answer at its prompt's top value (ties share it).
        result.minimumAchievablePValue = useExact
            ? tablePrompts.reduce(1.0) { floor, prompt in
                let top = prompt.similarities.max()!
                return floor * Double(prompt.similarities.filter { $0 == top }.count) / Double(prompt.similarities.count)
            }
            : 1 / Double(1 + options.replicates)
        return ServedSampleOutcome(test: result, prompts: ranked, servedMostSimilar: mostSimilar, assumptions: assumptions,
                                   pValueMethod: useExact ? "exact" : "monte-carlo")
    }

    /// Percentile-bootstrap interval of the mean of `values`, resampling prompts.
    static func bootstrapInterval(_ values: [Double], replicates: Int, seed: UInt64) -> (low: Double, high: Double) {
        guard !values.isEmpty, replicates > 0 else { return (.nan, .nan) }
        var generator = SeededGenerator(seed: seed)
        var means: [Double] = []
        means.reserveCapacity(replicates)
        for _ in 0..<replicates {
            var total = 0.0
            for _ in values.indices { total += values[Int(generator.next() % UInt64(values.count))] }
            means.append(total / Double(values.count))
        }
        return PairedResampling.percentileInterval(means.sorted(), level: 0.95)
    }
}
