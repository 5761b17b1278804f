import Foundation

/// A radioactivity test's result: `lineage canary test`'s JSON (schema `lineage.radioactivity/v1`).
public struct RadioactivityResult: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.radioactivity/v1"

    public var schema: String = RadioactivityResult.schemaName
    public var question: String
    public var suspect: String
    /// The first 16 hex digits of SHA-256 of the key: names the key without revealing it.
    public var keyFingerprint: String
    public var verdict: Verdict
    public var verdictExplanation: String
    public var alpha: Double
    public var pValue: Double
    public var test: HypothesisTestResult
    /// The root hash of the report's manifest.json, when the result was written as a report folder.
    public var rootHash: String? = nil
    public var spots: Int
    public var units: Int
    public var agreements: Int
    public var binomialPValue: Double
    public var unitsPerKind: [String: Int]
    /// The agreement excess that matters (no-evidence needs its upper bound below this).
    public var effectThatMatters: Double
    public var assumptions: [String]
    public var probes: Int
    public var samples: [String: Int]
    public var probeSets: [ProbeSetUsage]
    public var warnings: [String]
    public var highlights: [ProbeHighlight]? = nil
    public var dataQuality: DataQuality? = nil
    public var reproducibility: Reproducibility
}

/// Reads a suspect's answers from the store and runs the radioactivity test with a key.
public enum RadioactivityStudy {
    public static let assumptions = [
        "The canary key was drawn at random and kept secret: the suspect's texts cannot depend on it unless it learnt from canaried answers.",
        "The prompts put to the suspect were chosen without the key (any prompts will do; they need not be the canaried ones).",
        "Each (context, choice set) unit is scored once, so repeated boilerplate counts once.",
    ]

    public static func run(suspect: String, key: CanaryKey, store: ResponseStore, options: RadioactivityOptions,
                           effectThatMatters: Double = 0.05, command: String = "") throws -> (RadioactivityResult, [StoredResponse]) {
        guard try store.modelNames().contains(suspect) else {
            throw CanaryError(problem: "the store \(store.path) has no model '\(suspect)'",
                              fix: "`lineage models --store \(store.path)` lists the models it holds")
        }
        let responses = try store.responses(models: [suspect])
        let texts = responses.flatMap(\.turns)
        let outcome = RadioactivityTest.run(texts, key: key, options: options)
        let catalog = try store.probeCatalog(probeIDs: Array(Set(responses.map(\.probeID))))
        let effect = outcome.test.effect!
        let verdict: Verdict
        let explanation: String
        if outcome.test.pValue <= options.alpha {
            verdict = .evidence
            explanation = "Evidence: \(suspect) picks the keyed forms at \(outcome.agreements) of \(outcome.units) units, more than under \(options.replicates) random keys allow (p = \(formatNumber(outcome.test.pValue)) ≤ α = \(formatNumber(options.alpha)))."
        } else if outcome.units >= options.minimumUnits, effect.ciHigh < effectThatMatters {
            verdict = .noEvidence
            explanation = "No evidence: p = \(formatNumber(outcome.test.pValue)); over \(outcome.units) units the agreement excess is at most \(formatNumber(effect.ciHigh)) (95%), below the \(formatNumber(effectThatMatters)) that matters."
        } else {
            verdict = .inconclusive
            explanation = "Inconclusive: p = \(formatNumber(outcome.test.pValue)) > α, but \(outcome.units) units cannot rule out an agreement excess of \(formatNumber(effectThatMatters)): ask the suspect more prompts (longer answers carry more units)."
        }
        var warnings: [String] = []
        if outcome.units < options.minimumUnits { warnings.append("only \(outcome.units) distinct units (\(options.minimumUnits) or more make a non-rejection informative)") }
        let keyHash = ContentHash.sha256(bytes: key.bytes)
        return (RadioactivityResult(
            question: "Did \(suspect) learn from answers canaried with key \(keyHash.prefix(16))?",
            suspect: suspect, keyFingerprint: String(keyHash.prefix(16)), verdict: verdict, verdictExplanation: explanation,
            alpha: options.alpha, pValue: outcome.test.pValue, test: outcome.test, spots: outcome.spots, units: outcome.units,
            agreements: outcome.agreements, binomialPValue: outcome.binomialPValue, unitsPerKind: outcome.unitsPerKind,
            effectThatMatters: effectThatMatters, assumptions: assumptions, probes: Set(responses.map(\.probeID)).count,
            samples: [suspect: responses.count], probeSets: catalog.probeSets, warnings: warnings,
            reproducibility: Reproducibility(command: command, seed: options.seed, store: store.path,
                                             configuration: ["alpha": formatNumber(options.alpha), "replicates": String(options.replicates),
                                                             "deduplicate": String(options.deduplicate), "key": String(keyHash.prefix(16)),
                                                             "context_words": String(Canary.contextWords)])),
                responses)
    }
}
