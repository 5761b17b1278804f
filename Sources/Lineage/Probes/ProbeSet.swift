import Foundation

/// A named, versioned list of probes: what `lineage run` asks every model.
///
/// Loaded from YAML by `ProbeSetLoader`. Its `contentHash` covers everything that changes what a
/// model is asked (ids, categories, messages, sampling, tags, defaults), so a report can name the
/// exact set its responses came from.
public struct ProbeSet: Codable, Hashable, Sendable {
    public var id: String
    public var version: String
    public var description: String
    /// Sampling defaults for every probe of the set; a probe's own `sampling` wins.
    public var defaults: SamplingParameters
    /// Every category the probes use, with why it carries a model's identity (in file order).
    public var categories: [Category]
    public var probes: [Probe]

    public struct Category: Codable, Hashable, Sendable {
        public var name: String
        public var purpose: String

        public init(name: String, purpose: String) {
            self.name = name
            self.purpose = purpose
        }
    }

    public init(id: String, version: String, description: String, defaults: SamplingParameters = .init(),
                categories: [Category], probes: [Probe]) {
        self.id = id
        self.version = version
        self.description = description
        self.defaults = defaults
        self.categories = categories
        self.probes = probes
    }

    /// SHA-256 of the set's canonical JSON (sorted keys): the same content hashes the same
    /// whatever the YAML's layout, comments or key order.
    public var contentHash: String { ContentHash.of(self) }

    /// The probes whose id is in `ids`, in set order (all of them when `ids` is empty).
    public func selecting(ids: [String]) -> [Probe] {
        if ids.isEmpty { return probes }
        let wanted = Set(ids)
        return probes.filter { wanted.contains($0.id) }
    }
}

/// One question (possibly several turns) put to every model.
public struct Probe: Codable, Hashable, Sendable {
    public var id: String
    public var category: String
    public var system: String?
    /// The user's turns, in order; each is asked with the model's own earlier answers in context.
    public var turns: [String]
    /// Per-probe sampling overrides; unset fields fall back to the set's defaults.
    public var sampling: SamplingParameters
    public var tags: [String]

    public init(id: String, category: String, system: String? = nil, turns: [String],
                sampling: SamplingParameters = .init(), tags: [String] = []) {
        self.id = id
        self.category = category
        self.system = system
        self.turns = turns
        self.sampling = sampling
        self.tags = tags
    }

    /// What the store keys the probe by: the messages only (not its id or category).
    public var content: ProbeContent { ProbeContent(system: system, turns: turns) }
}

extension SamplingParameters {
    /// These parameters with every field `other` sets replaced by `other`'s value.
    public func overlaid(by other: SamplingParameters) -> SamplingParameters {
        SamplingParameters(temperature: other.temperature ?? temperature,
                           topP: other.topP ?? topP,
                           maxTokens: other.maxTokens ?? maxTokens,
                           seed: other.seed ?? seed)
    }
}
