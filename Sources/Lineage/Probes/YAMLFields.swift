import Foundation
import Yams

/// Reads one YAML mapping field by field, with errors that name the file, line, item and field.
/// Shared by the probe set loader and the model configuration loader.
struct YAMLFields {
    let file: String
    let mapping: Node.Mapping
    let line: Int?
    /// Path of this mapping from the document root, e.g. `probes[3]`; empty at the root.
    let path: String
    /// The item errors are reported inside, e.g. `probe identity-001`.
    var item: String?

    init(_ node: Node, file: String, path: String, item: String? = nil) throws {
        guard let mapping = node.mapping else {
            throw ProbeSetError(file: file, line: node.mark?.line, item: item, field: path.isEmpty ? nil : path,
                                "expected a mapping of `key: value` lines, found \(Self.kind(of: node))")
        }
        self.file = file
        self.mapping = mapping
        self.line = node.mark?.line
        self.path = path
        self.item = item
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error at `node`, else at `key`'s line, else at this mapping's first line.
    func error(_ key: String?, _ problem: String, node: Node? = nil, fix: String? = nil) -> ProbeSetError {
        let keyLine = key.flatMap { key in mapping.first { $0.key.string == key }?.key.mark?.line }
        return ProbeSetError(file: file, line: node?.mark?.line ?? keyLine ?? line, item: item,
                      field: key.map(fieldPath) ?? (path.isEmpty ? nil : path), problem, fix: fix)
    }

    /// Rejects keys outside `allowed`, so that a typo (`promt`) is an error, not silently ignored.
    func rejectUnknownKeys(_ allowed: [String]) throws {
        for (keyNode, _) in mapping {
            let key = keyNode.string ?? ""
            if !allowed.contains(key) {
                let nearest = allowed.min { editDistance(key, $0) < editDistance(key, $1) }
                let hint = nearest.map { editDistance(key, $0) <= 2 ? "did you mean `\($0)`? " : "" } ?? ""
                throw error(key, "unknown key `\(key)`", node: keyNode,
                            fix: "\(hint)allowed keys here: \(allowed.joined(separator: ", "))")
            }
        }
    }

    func node(_ key: String) -> Node? {
        guard let value = mapping[key] else { return nil }
        if Self.isNull(value) { return nil }
        return value
    }

    func requireNode(_ key: String, fix: String) throws -> Node {
        guard let value = node(key) else { throw error(key, "missing required field `\(key)`", fix: fix) }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let value = node(key) else { return nil }
        guard case .scalar(let scalar) = value else {
            throw error(key, "expected text, found \(Self.kind(of: value))", node: value)
        }
        return scalar.string
    }

    func requireString(_ key: String, fix: String) throws -> String {
        let value = try requireNode(key, fix: fix)
        guard let text = try string(key), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw error(key, "`\(key)` is empty", node: value, fix: fix)
        }
        return text
    }

    func double(_ key: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let value = node(key) else { return nil }
        guard case .scalar = value, let number = value.float, number.isFinite else {
            throw error(key, "expected a number, found `\(value.string ?? Self.kind(of: value))`", node: value)
        }
        guard range.contains(number) else {
            throw error(key, "\(number) is out of range", node: value,
                        fix: "use a value from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = node(key) else { return nil }
        guard case .scalar = value, let number = value.int else {
            throw error(key, "expected a whole number, found `\(value.string ?? Self.kind(of: value))`", node: value)
        }
        guard range.contains(number) else {
            throw error(key, "\(number) is out of range", node: value,
                        fix: "use a value from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    func stringList(_ key: String) throws -> [String]? {
        guard let value = node(key) else { return nil }
        guard case .sequence(let sequence) = value else {
            throw error(key, "expected a list, found \(Self.kind(of: value))", node: value,
                        fix: "write it as `[a, b]` or as lines starting with `- `")
        }
        return try sequence.enumerated().map { index, element in
            guard case .scalar(let scalar) = element, !Self.isNull(element) else {
                throw ProbeSetError(file: file, line: element.mark?.line ?? line, item: item,
                                    field: "\(fieldPath(key))[\(index)]", "expected text, found \(Self.kind(of: element))")
            }
            return scalar.string
        }
    }

    func fields(_ key: String) throws -> YAMLFields? {
        guard let value = node(key) else { return nil }
        return try YAMLFields(value, file: file, path: fieldPath(key), item: item)
    }

    func sequence(_ key: String) throws -> [Node]? {
        guard let value = node(key) else { return nil }
        guard case .sequence(let sequence) = value else {
            throw error(key, "expected a list, found \(Self.kind(of: value))", node: value)
        }
        return Array(sequence)
    }

    /// The sampling settings of a `sampling:` or `defaults:` mapping.
    func sampling() throws -> SamplingParameters {
        try rejectUnknownKeys(["temperature", "top_p", "max_tokens", "seed"])
        return SamplingParameters(temperature: try double("temperature", in: 0...2),
                                  topP: try double("top_p", in: 0...1),
                                  maxTokens: try int("max_tokens", in: 1...1_000_000),
                                  seed: try int("seed", in: 0...Int(Int32.max)))
    }

    /// Parses `text` into its root node, turning YAML syntax errors into errors with a line.
    static func root(of text: String, file: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ProbeSetError(file: file, "the file is empty")
            }
            return node
        } catch let error as YamlError {
            throw ProbeSetError(file: file, line: line(of: error), "not valid YAML: \(summary(of: error))",
                                fix: "check indentation and quoting on that line")
        }
    }

    /// The node's resolved YAML type, e.g. `Tag.Name.null`.
    static func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

    static func isNull(_ node: Node) -> Bool { tagName(node) == .null }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): return isNull(node) ? "nothing" : "text `\(scalar.string)`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        default: return "\(error)"
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
