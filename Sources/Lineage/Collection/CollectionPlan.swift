import Foundation
import GRDB

/// The unit of work of a collection run: one sample of one probe from one model, with the exact
/// sampling parameters. A unit with a successful response in the store is never asked again.
public struct WorkUnit: Hashable, Sendable {
    public var model: String
    public var probe: Probe
    public var sampleIndex: Int
    public var parameters: SamplingParameters

    /// The same key the store's unique index uses (probe by content, not by id).
    var storeKey: String { "\(model)\u{1F}\(probe.content.contentHash)\u{1F}\(sampleIndex)\u{1F}\(parameters.key)" }
}

/// What `lineage run` asks besides the probe set and the models.
public struct CollectionOptions: Codable, Hashable, Sendable {
    /// Samples per probe and model (sample indices 0..<samples).
    public var samples: Int
    /// Sampling set on the command line: overrides the model's and the set's defaults; a probe's
    /// own `sampling` still wins, since a probe asks for it on purpose (e.g. temperature 0).
    public var overrides: SamplingParameters
    /// Only these probe ids (all when empty).
    public var probeIDs: [String]
    /// Ask for log-probabilities with this many alternatives per token, where the API returns them.
    public var logprobs: Int?

    public init(samples: Int = 1, overrides: SamplingParameters = .init(), probeIDs: [String] = [], logprobs: Int? = nil) {
        self.samples = samples
        self.overrides = overrides
        self.probeIDs = probeIDs
        self.logprobs = logprobs
    }
}

/// Every unit a run covers, in the order it asks them: sample by sample, so that a run stopped
/// part-way has whole early samples rather than every sample of a few probes.
public struct CollectionPlan: Sendable {
    public let probeSet: ProbeSet
    public let models: [ModelConfiguration]
    public let options: CollectionOptions
    public let units: [WorkUnit]

    public init(probeSet: ProbeSet, models: [ModelConfiguration], options: CollectionOptions) {
        self.probeSet = probeSet
        self.models = models
        self.options = options
        let probes = probeSet.selecting(ids: options.probeIDs)
        var units: [WorkUnit] = []
        for sample in 0..<max(0, options.samples) {
            for model in models {
                for probe in probes {
                    units.append(WorkUnit(model: model.name, probe: probe, sampleIndex: sample,
                                          parameters: Self.parameters(model: model, set: probeSet, probe: probe,
                                                                      overrides: options.overrides, sample: sample)))
                }
            }
        }
        self.units = units
    }

    /// Model defaults, then the set's defaults, then the command line, then the probe's own
    /// settings. A probe's own seed is offset by the sample index. A seed given for every probe (model,
    /// set or command line) becomes one seed per probe and sample (`requestSeed`), so that samples differ
    /// yet reproduce, and no two prompts share a random stream: answers drawn with one seed share whether
    /// they came out typical or not, which makes them dependent across prompts (the served-sample test's
    /// ranks, for one, would no longer be independent).
    public static func parameters(model: ModelConfiguration, set: ProbeSet, probe: Probe,
                                  overrides: SamplingParameters, sample: Int) -> SamplingParameters {
        var parameters = model.sampling.overlaid(by: set.defaults).overlaid(by: overrides).overlaid(by: probe.sampling)
        if let seed = probe.sampling.seed {
            parameters.seed = seed + sample
        } else if let seed = parameters.seed {
            parameters.seed = requestSeed(seed, probe: probe.content.contentHash, sample: sample)
        }
        return parameters
    }

    /// The seed of one request from a seed shared by every probe: a stable hash of the seed, the probe's
    /// content hash and the sample index, in 0..<2^31 (every API's seed type holds it).
    public static func requestSeed(_ seed: Int, probe contentHash: String, sample: Int) -> Int {
        Int(StableHash.of("\(seed)\u{1F}\(contentHash)\u{1F}\(sample)") & 0x7FFF_FFFF)
    }

    /// The units without a successful response in `store` (all of them when there is no store).
    public func pending(in store: ResponseStore?) throws -> [WorkUnit] {
        guard let store else { return units }
        let names = models.map(\.name)
        let stored: Set<String> = try store.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.name, p.contentHash, r.sampleIndex, r.parametersKey
                FROM response r JOIN model m ON m.id = r.modelID JOIN probe p ON p.id = r.probeID
                WHERE r.status = 'ok' AND m.name IN (\(databaseQuestionMarks(count: names.count)))
                """, arguments: StatementArguments(names))
            return Set(rows.map { row in
                "\(row[0] as String)\u{1F}\(row[1] as String)\u{1F}\(row[2] as Int)\u{1F}\(row[3] as String)"
            })
        }
        return units.filter { !stored.contains($0.storeKey) }
    }

    /// Requests and tokens the `units` would take, and their cost where prices are configured.
    /// Prompt tokens are counted at 4 characters a token; answers at `max_tokens` (an upper bound),
    /// or at `assumedAnswerTokens` when no limit is set. Later turns carry the earlier answers.
    public func estimate(_ units: [WorkUnit], assumedAnswerTokens: Int = 512) -> [ModelEstimate] {
        models.map { model in
            var estimate = ModelEstimate(model: model.name, units: 0, requests: 0, promptTokens: 0, completionTokens: 0,
                                         costUSD: model.price == nil ? nil : 0)
            for unit in units where unit.model == model.name {
                estimate.units += 1
                let answer = unit.parameters.maxTokens ?? assumedAnswerTokens
                var context = (unit.probe.system?.count ?? 0) / 4
                for turn in unit.probe.turns {
                    context += turn.count / 4 + 8
                    estimate.requests += 1
                    estimate.promptTokens += context
                    estimate.completionTokens += answer
                    context += answer
                }
            }
            if let price = model.price {
                estimate.costUSD = (Double(estimate.promptTokens) * price.inputPerMillion
                                    + Double(estimate.completionTokens) * price.outputPerMillion) / 1e6
            }
            return estimate
        }
    }
}

public struct ModelEstimate: Codable, Hashable, Sendable {
    public var model: String
    public var units: Int
    public var requests: Int
    public var promptTokens: Int
    public var completionTokens: Int
    /// US dollars, nil when the model has no configured price.
    public var costUSD: Double?
}
