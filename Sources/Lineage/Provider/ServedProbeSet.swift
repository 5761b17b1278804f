import Foundation

/// The prompts of served logs as a probe set, so that `lineage run` can draw fresh samples of
/// them from the same snapshot (and ask the suspect them): each probe carries the parameters it was
/// served with (without the seed, so fresh draws differ), and its id comes from its content.
public enum ServedProbeSet {
    public static func make(_ records: [ServedRecord], id: String = "served") -> ProbeSet {
        var order: [ProbeContent] = []
        var parameters: [ProbeContent: [SamplingParameters: Int]] = [:]
        for record in records {
            if parameters[record.probe] == nil { order.append(record.probe) }
            parameters[record.probe, default: [:]][record.parameters.withoutSeed, default: 0] += 1
        }
        let probes = order.map { content in
            // The most common served parameters (ties: the canonical key first).
            let sampling = parameters[content]!.max { ($0.value, $1.key.key) < ($1.value, $0.key.key) }!.key
            return Probe(id: probeID(content), category: "served", system: content.system, turns: content.turns, sampling: sampling)
        }
        return ProbeSet(id: id, version: "1", description: "Prompts of served logs, for fresh samples from the same snapshot (lineage served import --probes-out).",
                        categories: [.init(name: "served", purpose: "Prompts a provider served; their answers may have been harvested.")],
                        probes: probes)
    }

    /// "served-" and the first 12 hex digits of the prompt's content hash.
    public static func probeID(_ content: ProbeContent) -> String { "served-" + content.contentHash.prefix(12) }

    /// The set as probe-set YAML (strings double-quoted with JSON escapes, which YAML reads alike).
    public static func yaml(_ set: ProbeSet) -> String {
        func quoted(_ text: String) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            return String(decoding: try! encoder.encode(text), as: UTF8.self)
        }
        var lines = ["# Written by `lineage served import --probes-out`: the served prompts, with the parameters they were served with.",
                     "id: \(quoted(set.id))", "version: \(quoted(set.version))", "description: \(quoted(set.description))", "categories:"]
        for category in set.categories { lines.append("  \(quoted(category.name)): \(quoted(category.purpose))") }
        lines.append("probes:")
        for probe in set.probes {
            lines.append("  - id: \(quoted(probe.id))")
            lines.append("    category: \(quoted(probe.category))")
            if let system = probe.system { lines.append("    system: \(quoted(system))") }
            lines.append("    prompt: \(quoted(probe.turns[0]))")
            var sampling: [String] = []
            if let t = probe.sampling.temperature { sampling.append("temperature: \(t)") }
            if let p = probe.sampling.topP { sampling.append("top_p: \(p)") }
            if let m = probe.sampling.maxTokens { sampling.append("max_tokens: \(m)") }
            if !sampling.isEmpty { lines.append("    sampling: {\(sampling.joined(separator: ", "))}") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
