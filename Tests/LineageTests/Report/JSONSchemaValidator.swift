import Foundation

/// A small validator for the subset of JSON Schema (2020-12) that Lineage's schemas use:
/// `type`, `required`, `properties`, `additionalProperties`, `items`, `enum`, `const`, and
/// `$ref`, either to `#/$defs/...` or to a JSON Pointer in a sibling schema file
/// (`lineage.attribution.v1.json#/properties/panel`, resolved against the `$id` as the standard
/// says, which here is the same folder). Unknown keywords are errors, so a schema cannot silently
/// use something this validator ignores.
///
/// `strict`: an object key that its schema neither declares in `properties` nor allows by
/// `additionalProperties` is a problem, at any depth (a field added to a type but not to its schema).
struct JSONSchemaValidator {
    let root: [String: Any]
    let folder: URL
    var strict = false
    /// Where validation starts: the whole schema (nil), or one of its `$defs`.
    private var entry: [String: Any]? = nil
    static let known: Set<String> = ["$schema", "$id", "$defs", "title", "description", "type", "required", "properties",
                                     "additionalProperties", "items", "enum", "const", "$ref"]

    init(schemaFile: URL, strict: Bool = false) throws {
        root = try Self.load(schemaFile)
        folder = schemaFile.deletingLastPathComponent()
        self.strict = strict
    }

    static func load(_ file: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
    }

    /// The same schema, validating against its `$defs/name` (a file of several kinds of line).
    func definition(_ name: String) -> JSONSchemaValidator {
        var copy = self
        copy.entry = ["$ref": "#/$defs/\(name)"]
        return copy
    }

    /// Problems found, each with its JSON path; empty when `value` conforms.
    func validate(_ value: Any) -> [String] { check(value, against: entry ?? root, in: root, at: "$") }

    /// The schema a `$ref` names, and the document it lies in (for the `$ref`s inside it).
    private func resolve(_ reference: String, in document: [String: Any]) -> (schema: [String: Any], document: [String: Any])? {
        let parts = reference.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var target = document
        if !parts[0].isEmpty {
            guard !parts[0].contains("/"), let loaded = try? Self.load(folder.appendingPathComponent(parts[0])) else { return nil }
            target = loaded
        }
        let base = target
        var node: Any = target
        for token in (parts.count > 1 ? parts[1] : "").split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = (node as? [String: Any])?[key] else { return nil }
            node = next
        }
        return (node as? [String: Any]).map { ($0, base) }
    }

    private func check(_ value: Any, against schema: [String: Any], in document: [String: Any], at path: String) -> [String] {
        var problems = Set(schema.keys).subtracting(Self.known).sorted().map { "\(path): schema uses unsupported keyword \($0)" }
        if let reference = schema["$ref"] as? String {
            guard let (target, targetDocument) = resolve(reference, in: document) else {
                return problems + ["\(path): unresolved $ref \(reference)"]
            }
            problems += check(value, against: target, in: targetDocument, at: path)
        }
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [type as! String]
            if !types.contains(where: { Self.matches(value, $0) }) {
                problems.append("\(path): expected \(types.joined(separator: " or ")), got \(Self.describe(value))")
                return problems
            }
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { Self.equal($0, value) }) {
            problems.append("\(path): \(value) is not one of \(allowed)")
        }
        if let constant = schema["const"], !Self.equal(constant, value) {
            problems.append("\(path): expected \(constant), got \(value)")
        }
        if let object = value as? [String: Any] {
            for key in (schema["required"] as? [String]) ?? [] where object[key] == nil {
                problems.append("\(path): missing required key \"\(key)\"")
            }
            let properties = (schema["properties"] as? [String: Any]) ?? [:]
            for (key, item) in object {
                if let propertySchema = properties[key] as? [String: Any] {
                    problems += check(item, against: propertySchema, in: document, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] {
                    if let allowed = additional as? Bool {
                        if !allowed { problems.append("\(path): unexpected key \"\(key)\"") }
                    } else if let additionalSchema = additional as? [String: Any] {
                        problems += check(item, against: additionalSchema, in: document, at: "\(path).\(key)")
                    }
                } else if strict && schema["properties"] != nil {
                    problems.append("\(path): key \"\(key)\" is not in the schema")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { problems += check(item, against: items, in: document, at: "\(path)[\(index)]") }
        }
        return problems
    }

    private static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "number": value is NSNumber
        case "integer": (value as? NSNumber).map { $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "null": value is NSNull
        // JSONSerialization reads true and false as NSNumber on Linux; 0 and 1 are the only values it can be.
        case "boolean": (value as? NSNumber).map { $0.doubleValue == 0 || $0.doubleValue == 1 } ?? false
        default: false
        }
    }

    private static func equal(_ a: Any, _ b: Any) -> Bool {
        (a as? NSObject)?.isEqual(b) ?? false
    }

    private static func describe(_ value: Any) -> String {
        switch value {
        case is String: "string"
        case is [Any]: "array"
        case is [String: Any]: "object"
        case is NSNull: "null"
        default: "number"
        }
    }
}
