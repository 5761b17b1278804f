import Foundation

/// What `lineage equality` is asked.
public struct EqualityOptions: Sendable {
    public var modelA: String
    public var modelB: String
    public var kernel: StringKernel = .kSpectrum(k: 5, cumulative: true)
    /// Completions are cut to this many characters (nil: compared whole).
    public var maxCharacters: Int?
    public var alpha = 0.05
    public var permutations = 999
    public var seed: UInt64 = 20_240_601
    /// Below this many prompts with repeated samples of both models, "not different" is inconclusive.
    public var minimumPrompts = 10

    public init(modelA: String, modelB: String) {
        self.modelA = modelA
        self.modelB = modelB
    }
}

/// Equality: "do A and B serve the same model?" from completions of the same prompts.
///
/// Each (probe, turn) is a prompt; all samples of it are used raw (no cleaning: a different
/// template leftover is a difference too). When A and B are the same model, each prompt's samples
/// are split in two halves (even and odd sample positions): a check that the test holds its level.
public enum EqualityStudy {
    public static func run(options: EqualityOptions, responses: [StoredResponse], catalog: ProbeCatalog = ProbeCatalog(),
                           command: String = "", store: String = "") throws -> EqualityResult {
        var options = options
        let floor = try ResamplingFloor.replicates(requested: options.permutations, level: options.alpha,
                                                   option: "--permutations", alpha: options.alpha)
        options.permutations = floor.replicates
        let split = options.modelA == options.modelB
        var byPrompt: [String: ([String], [String])] = [:]
        var seen = Set<String>()
        var probeIDs = Set<Int64>()
        var probeHashes: [Int64: String] = [:]
        var responseCounts: [String: Int] = [:]
        for response in responses where response.model == options.modelA || response.model == options.modelB {
            guard seen.insert(response.model + "\u{0}" + response.contentHash).inserted else { continue }
            responseCounts[response.model, default: 0] += 1
            for (t, turn) in response.turns.enumerated() {
                let key = "\(response.probeID)#\(t)"
                var entry = byPrompt[key] ?? ([], [])
                if split {
                    if (entry.0.count + entry.1.count) % 2 == 0 { entry.0.append(turn) } else { entry.1.append(turn) }
                } else if response.model == options.modelA {
                    entry.0.append(turn)
                } else {
                    entry.1.append(turn)
                }
                byPrompt[key] = entry
            }
            probeIDs.insert(response.probeID)
            probeHashes[response.probeID] = response.probeHash
        }
        let keys = byPrompt.keys.sorted()
        let outcome: MMDTest.Outcome
        do {
            outcome = try MMDTest.run(a: keys.map { byPrompt[$0]!.0 }, b: keys.map { byPrompt[$0]!.1 }, kernel: options.kernel,
                                      maxCharacters: options.maxCharacters, permutations: options.permutations, seed: options.seed)
        } catch let error as MMDTest.InsufficientSamples {
            if split {
                // The self-check halves each prompt's samples, and each half needs two of its own.
                let most = byPrompt.values.map { $0.0.count + $0.1.count }.max() ?? 0
                throw FingerprintError(description: "the self-check `equality \(options.modelA) \(options.modelA)` splits each prompt's samples of "
                    + "\(options.modelA) in two halves, and the MMD test needs at least two samples in each half: at least 4 samples per prompt; "
                    + "the store has at most \(most) for any prompt\n  fix: collect more, e.g. `lineage run PROBES.yaml --model \(options.modelA) --samples 4` "
                    + "(temperature above 0); what is stored already is not asked again")
            }
            throw FingerprintError(description: error.description)
        }
        // Each probe's effect: the mean of its turns' own MMD estimates; the prompts whose answers moved most.
        var perTurn: [Int64: [Double]] = [:]
        for (key, value) in zip(keys, outcome.perPrompt) {
            guard let value, let id = key.split(separator: "#").first.flatMap({ Int64($0) }) else { continue }
            perTurn[id, default: []].append(value)
        }
        let perProbe = perTurn.keys.sorted().map { id in
            let entry = catalog.entries[id]
            let hash = probeHashes[id] ?? ""
            return ProbeEffect(probeID: entry?.externalID ?? String(hash.prefix(12)), probeHash: hash, category: entry?.category,
                               effect: perTurn[id]!.reduce(0, +) / Double(perTurn[id]!.count))
        }
        let effect = outcome.interval.map { interval in
            EffectEstimate(description: "MMD² between the two models' completions of the same prompts (0 when they sample the same "
                               + "distribution; the kernel is normalised, so at most 2)",
                           estimate: outcome.statistic, ciLow: interval.low, ciHigh: interval.high, level: 0.95,
                           method: "percentile bootstrap over prompts, B = \(outcome.bootstrapReplicates)")
        }
        let a = options.modelA, b = split ? options.modelA + " (second half of its samples)" : options.modelB
        let test = HypothesisTestResult(
            name: "MMD two-sample test",
            nullHypothesis: "for every prompt, \(a) and \(b) sample completions from the same distribution",
            alternative: "for some prompt, the distributions differ",
            statistic: outcome.statistic, pValue: outcome.pValue, effect: effect,
            sampleSizes: ["prompts": outcome.prompts, "prompts with repeated samples": outcome.promptsWithRepeats,
                          "samples A": outcome.samplesA, "samples B": outcome.samplesB],
            method: "MMD with a \(options.kernel), normalised, zero across prompts (Gao, Liang & Guestrin 2024)"
                + (options.maxCharacters.map { ", completions cut to \($0) characters" } ?? "")
                + "; permutation of the labels within each prompt, B = \(options.permutations)",
            replicates: options.permutations, seed: options.seed, nullDistribution: outcome.null,
            perProbe: perProbe.isEmpty ? nil : perProbe, usedInVerdict: true)
        let verdict: Verdict
        let explanation: String
        var warnings: [String] = floor.note.map { [$0] } ?? []
        if outcome.pValue <= options.alpha {
            verdict = .evidence
            explanation = "Evidence that \(a) and \(b) differ: p = \(formatNumber(outcome.pValue)) ≤ α = \(formatNumber(options.alpha))."
        } else if outcome.promptsWithRepeats < options.minimumPrompts {
            verdict = .inconclusive
            explanation = "Inconclusive: no difference found (p = \(formatNumber(outcome.pValue))), but only \(outcome.promptsWithRepeats) prompts have "
                + "repeated samples of both models; collect at least \(options.minimumPrompts) prompts with two or more samples each."
            warnings.append("few prompts with repeated samples")
        } else {
            verdict = .noEvidence
            explanation = "No evidence of a difference (p = \(formatNumber(outcome.pValue)) > α) over \(outcome.promptsWithRepeats) prompts with repeated samples. "
                + "A small difference (e.g. a changed sampling temperature) can need more samples to show."
        }
        if split { warnings.append("A and B are the same model: its samples were split in two halves, so this checks the test itself") }
        return EqualityResult(
            question: "Do \(a) and \(b) serve the same model?", modelA: a, modelB: b, verdict: verdict, verdictExplanation: explanation,
            alpha: options.alpha, pValue: outcome.pValue, test: test, probes: probeIDs.count,
            // Responses per model, as the store and the manifest count them (the test's sample sizes count answer turns).
            samples: responseCounts, power: nil, warnings: warnings, probeSets: catalog.probeSets,
            reproducibility: Reproducibility(command: command, seed: options.seed, store: store, configuration: [
                "kernel": options.kernel.description, "permutations": String(options.permutations), "alpha": formatNumber(options.alpha),
                "max characters": options.maxCharacters.map(String.init) ?? "none",
            ]))
    }
}
