import Foundation
import Yams

/// Reads and validates a probe set YAML file (format in README, "Collecting responses").
///
/// Everything is checked before a set is returned: required fields, types and ranges, unknown
/// keys (a typo is an error, never ignored), duplicate probe ids, categories that are used but not
/// described. Each error names the file, the line, the probe id and the field.
public enum ProbeSetLoader {
    static func isSetID(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }

    static func isProbeID(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }
    }

    public static func load(path: String) throws -> ProbeSet {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ProbeSetError(file: path, "cannot read the file (\(error.localizedDescription))",
                                fix: "check the path; probe sets live under probes/, e.g. probes/smoke.yaml")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProbeSetError(file: path, "the file is not UTF-8 text", fix: "save it as UTF-8")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> ProbeSet {
        let root = try YAMLFields(try YAMLFields.root(of: text, file: file), file: file, path: "")
        try root.rejectUnknownKeys(["id", "version", "description", "defaults", "categories", "probes"])
        let id = try root.requireString("id", fix: "give the set a short id such as `core`")
        guard isSetID(id) else {
            throw root.error("id", "`\(id)` is not a valid set id", node: root.node("id"),
                             fix: "use lower-case letters, digits, `.`, `_` and `-` only")
        }
        let version = try root.requireString("version", fix: "add a version such as `\"1.0.0\"`")
        let description = try root.requireString("description", fix: "say in a sentence what the set is for")
        let defaults = try root.fields("defaults")?.sampling() ?? SamplingParameters()

        guard let categoryFields = try root.fields("categories") else {
            throw root.error("categories", "missing required field `categories`",
                             fix: "list every category the probes use, each with why it carries a model's identity")
        }
        var categories: [ProbeSet.Category] = []
        for (keyNode, valueNode) in categoryFields.mapping {
            let name = keyNode.string ?? ""
            guard case .scalar(let purpose) = valueNode, !purpose.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                  !YAMLFields.isNull(valueNode) else {
                throw categoryFields.error(name, "category `\(name)` has no purpose", node: keyNode,
                                           fix: "write a sentence on why this category carries a model's identity")
            }
            categories.append(.init(name: name, purpose: purpose.string.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let categoryNames = Set(categories.map(\.name))

        guard let probeNodes = try root.sequence("probes"), !probeNodes.isEmpty else {
            throw root.error("probes", "missing or empty `probes` list", fix: "add at least one probe")
        }
        var probes: [Probe] = []
        var firstLine: [String: Int] = [:]
        for (index, node) in probeNodes.enumerated() {
            var fields = try YAMLFields(node, file: file, path: "probes[\(index)]")
            let probeID = try fields.requireString("id", fix: "give every probe a unique id such as `identity-001`")
            fields.item = "probe \(probeID)"
            guard isProbeID(probeID) else {
                throw fields.error("id", "`\(probeID)` is not a valid probe id", node: fields.node("id"),
                                   fix: "use letters, digits, `.`, `_` and `-` only")
            }
            if let earlier = firstLine[probeID] {
                throw fields.error("id", "duplicate probe id `\(probeID)` (first used on line \(earlier))",
                                   node: fields.node("id"), fix: "give each probe its own id")
            }
            firstLine[probeID] = node.mark?.line ?? 0
            probes.append(try probe(probeID, fields, categories: categoryNames))
        }
        return ProbeSet(id: id, version: version, description: description.trimmingCharacters(in: .whitespacesAndNewlines),
                        defaults: defaults, categories: categories, probes: probes)
    }

    private static func probe(_ id: String, _ fields: YAMLFields, categories: Set<String>) throws -> Probe {
        try fields.rejectUnknownKeys(["id", "category", "system", "prompt", "turns", "sampling", "tags"])
        let category = try fields.requireString("category", fix: "name one of the set's categories")
        guard categories.contains(category) else {
            throw fields.error("category", "category `\(category)` is not listed under `categories`",
                               node: fields.node("category"),
                               fix: "use one of \(categories.sorted().joined(separator: ", ")), or describe the new category under `categories`")
        }
        let prompt = try fields.string("prompt")
        let turns = try fields.stringList("turns")
        let messages: [String]
        switch (prompt, turns) {
        case (let prompt?, nil): messages = [prompt]
        case (nil, let turns?): messages = turns
        case (.some, .some):
            throw fields.error("turns", "has both `prompt` and `turns`",
                               fix: "use `prompt` for one user turn or `turns` for several, not both")
        case (nil, nil):
            throw fields.error("prompt", "has neither `prompt` nor `turns`",
                               fix: "add `prompt: \"...\"` (one user turn) or a `turns:` list")
        }
        if messages.isEmpty {
            throw fields.error("turns", "`turns` is empty", fix: "list at least one user turn")
        }
        for (index, message) in messages.enumerated() where message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw fields.error(turns == nil ? "prompt" : "turns[\(index)]", "empty user turn",
                               fix: "write the question, or remove the turn")
        }
        let system = try fields.string("system")
        if let system, system.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw fields.error("system", "empty system prompt", node: fields.node("system"),
                               fix: "write one, or remove the `system` key")
        }
        let sampling = try fields.fields("sampling")?.sampling() ?? SamplingParameters()
        return Probe(id: id, category: category, system: system, turns: messages, sampling: sampling,
                     tags: try fields.stringList("tags") ?? [])
    }
}
