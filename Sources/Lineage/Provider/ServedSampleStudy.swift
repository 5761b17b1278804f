import Foundation
import GRDB

/// A served-sample study's result: `lineage served-test`'s JSON (schema `lineage.served-sample/v1`).
public struct ServedSampleResult: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.served-sample/v1"

    public var schema: String = ServedSampleResult.schemaName
    public var question: String
    /// The store's models: the served log, the fresh samples, the suspect.
    public var served: String
    public var fresh: String
    public var suspect: String
    public var snapshot: String
    public var verdict: Verdict
    public var verdictExplanation: String
    public var alpha: Double
    public var pValue: Double
    /// "exact" or "monte-carlo".
    public var pValueMethod: String
    public var test: HypothesisTestResult
    /// Per prompt: the similarities and the served answers' scaled rank.
    public var prompts: [ServedSamplePromptRank]
    /// Prompts on which a served answer is strictly the most similar to the suspect's answers.
    public var servedMostSimilar: Int
    public var assumptions: [String]
    /// The mean rank excess that matters (below it, a non-rejection is no-evidence).
    public var effectThatMatters: Double
    public var probes: Int
    /// Responses used, per model.
    public var samples: [String: Int]
    public var probeSets: [ProbeSetUsage]
    public var warnings: [String]
    public var highlights: [ProbeHighlight]? = nil
    public var dataQuality: DataQuality? = nil
    /// The root hash of the report's manifest.json, when the result was written as a report folder.
    public var rootHash: String? = nil
    public var reproducibility: Reproducibility
}

/// What `lineage served-test` is asked: three models of the store and the test's options.
public struct ServedSampleStudyOptions: Sendable {
    /// The served log's model (`served:SNAPSHOT` after `lineage served import`).
    public var served: String
    /// Fresh samples of the same prompts from the same snapshot and parameters (`lineage run`).
    public var fresh: String
    public var suspect: String
    /// The fresh samples' snapshot when the store does not record it (imported fresh samples).
    public var freshSnapshot: String?
    /// Only these prompts (probe ids as the store names them, e.g. `served-251aedd71cf0`); nil for every
    /// served prompt the suspect answered. A power curve draws subsets; a user may test one campaign's prompts.
    public var probes: Set<String>? = nil
    public var test = ServedSampleOptions()

    public init(served: String, fresh: String, suspect: String) {
        self.served = served
        self.fresh = fresh
        self.suspect = suspect
    }
}

/// Reads the three models' answers from the store, pairs them by prompt and runs the test.
public enum ServedSampleStudy {
    public static func run(options: ServedSampleStudyOptions, store: ResponseStore, command: String = "") throws
        -> (ServedSampleResult, [StoredResponse]) {
        let names = [options.served, options.fresh, options.suspect]
        guard Set(names).count == 3 else {
            throw ServedSampleError(probeID: nil, problem: "a model is named in two roles (served \(options.served), fresh \(options.fresh), suspect \(options.suspect))",
                                    fix: "name three different models of the store")
        }
        let records = try store.read { db in try ModelRecord.filter(names.contains(Column("name"))).fetchAll(db) }
        let byName = Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) })
        for name in names where byName[name] == nil {
            throw ServedSampleError(probeID: nil, problem: "the store \(store.path) has no model '\(name)'",
                                    fix: "`lineage models --store \(store.path)` lists the models it holds")
        }
        let servedModel = byName[options.served]!, freshModel = byName[options.fresh]!
        var warnings: [String] = []
        if servedModel.backend != "served-log" {
            warnings.append("\(options.served) was not imported with `lineage served import`: its snapshot is its provider model id (\(servedModel.providerModelID ?? "none"))")
        }
        if freshModel.backend == "served-log" {
            throw ServedSampleError(probeID: nil, problem: "\(options.fresh) is a served log, not fresh samples",
                                    fix: "collect fresh samples with `lineage run` from the same snapshot and name that model with --fresh")
        }
        guard let snapshot = servedModel.providerModelID else {
            throw ServedSampleError(probeID: nil, problem: "the store records no snapshot for \(options.served)",
                                    fix: "import the served answers with `lineage served import` (model_snapshot in each record)")
        }
        let freshSnapshot = options.freshSnapshot ?? freshModel.providerModelID
        if options.freshSnapshot == nil && freshModel.backend == "import" {
            throw ServedSampleError(probeID: nil, problem: "\(options.fresh) was imported, so the store does not know which snapshot produced it",
                                    fix: "state it with --fresh-snapshot \(snapshot) if that is where the samples came from")
        }

        let responses = try store.responses(models: names)
        var served: [Int64: [StoredResponse]] = [:], fresh: [Int64: [StoredResponse]] = [:], suspect: [Int64: [StoredResponse]] = [:]
        for response in responses {
            switch response.model {
            case options.served: served[response.probeID, default: []].append(response)
            case options.fresh: fresh[response.probeID, default: []].append(response)
            default: suspect[response.probeID, default: []].append(response)
            }
        }
        var probeIDs = served.keys.filter { suspect[$0] != nil }.sorted()
        var catalog = try store.probeCatalog(probeIDs: probeIDs)
        /// A prompt's id as the result names it: its probe-set id, else the served-log id.
        func name(_ id: Int64) -> String { catalog.entries[id]?.externalID ?? ServedProbeSet.probeID(served[id]![0].probe) }
        if let wanted = options.probes {
            let known = Set(probeIDs.map(name))
            let unknown = wanted.subtracting(known).sorted()
            if !unknown.isEmpty {
                throw ServedSampleError(probeID: unknown[0], problem: "\(unknown.count) of the \(wanted.count) prompts named with --probe are not served prompts that \(options.suspect) answered (\(unknown.prefix(3).joined(separator: ", "))\(unknown.count > 3 ? ", ..." : ""))",
                                        fix: "name probe ids of the served log's probe set (`lineage served import --probes-out` writes them), answered by the suspect")
            }
            probeIDs = probeIDs.filter { wanted.contains(name($0)) }
            catalog = try store.probeCatalog(probeIDs: probeIDs)
        }
        func answer(_ response: StoredResponse, snapshot: String?) -> ServedSampleAnswer {
            ServedSampleAnswer(text: response.turns.joined(separator: "\n\n"), snapshot: snapshot,
                               parameters: response.parameters, contentHash: response.contentHash)
        }
        let prompts = probeIDs.map { id in
            let first = served[id]![0]
            return ServedSamplePrompt(
                probeID: name(id), probeHash: first.probeHash,
                category: catalog.entries[id]?.category,
                served: served[id]!.map { answer($0, snapshot: snapshot) },
                fresh: (fresh[id] ?? []).map { answer($0, snapshot: freshSnapshot) },
                suspect: suspect[id]!.map { $0.turns.joined(separator: "\n\n") })
        }
        let outcome = try ServedSampleTest.run(prompts, options: options.test)
        let used = Set(probeIDs)
        let usedResponses = responses.filter { used.contains($0.probeID) }
        let left = served.count - probeIDs.count
        if left > 0 { warnings.append("\(left) served prompts have no answer of \(options.suspect) and were left out") }

        let test = options.test
        let effect = outcome.test.effect!
        var result = outcome.test
        result.usedInVerdict = true
        let verdict: Verdict
        let explanation: String
        if outcome.test.pValue <= test.alpha {
            verdict = .evidence
            explanation = "Evidence: \(options.suspect)'s answers resemble the answers served by \(snapshot) more than fresh answers of the same snapshot do (p = \(formatNumber(outcome.test.pValue)) ≤ α = \(formatNumber(test.alpha))); the served answer was the closest on \(outcome.servedMostSimilar) of \(prompts.count) prompts."
        } else if effect.ciHigh < test.effectThatMatters {
            verdict = .noEvidence
            explanation = "No evidence: p = \(formatNumber(outcome.test.pValue)), and the upper 95% bound of the mean rank excess (\(formatNumber(effect.ciHigh))) is below the \(formatNumber(test.effectThatMatters)) that matters."
        } else {
            verdict = .inconclusive
            explanation = "Inconclusive: p = \(formatNumber(outcome.test.pValue)) > α = \(formatNumber(test.alpha)), but the 95% interval of the mean rank excess reaches \(formatNumber(effect.ciHigh)), above the \(formatNumber(test.effectThatMatters)) that matters: more prompts or more fresh samples per prompt would tell."
        }
        var samples: [String: Int] = [:]
        for response in usedResponses { samples[response.model, default: 0] += 1 }
        let configuration = ["alpha": formatNumber(test.alpha), "replicates": String(test.replicates), "bootstrap": String(test.bootstrap),
                             "method": test.method.rawValue, "ngram": String(test.similarity.n),
                             "allow_identical_answers": String(test.allowIdenticalAnswers),
                             "fresh_snapshot": freshSnapshot ?? "none",
                             "probes": options.probes.map { $0.sorted().joined(separator: ",") } ?? "all"]
        return (ServedSampleResult(
            question: "Did \(options.suspect) learn from the very answers \(snapshot) served (\(options.served)), rather than from other samples of the same model?",
            served: options.served, fresh: options.fresh, suspect: options.suspect, snapshot: snapshot, verdict: verdict,
            verdictExplanation: explanation, alpha: test.alpha, pValue: outcome.test.pValue, pValueMethod: outcome.pValueMethod,
            test: result, prompts: outcome.prompts, servedMostSimilar: outcome.servedMostSimilar, assumptions: outcome.assumptions,
            effectThatMatters: test.effectThatMatters, probes: prompts.count, samples: samples, probeSets: catalog.probeSets,
            warnings: warnings,
            reproducibility: Reproducibility(command: command, seed: test.seed, store: store.path, configuration: configuration)),
                usedResponses)
    }
}
