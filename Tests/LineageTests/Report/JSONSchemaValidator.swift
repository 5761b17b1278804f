import Foundation

/// A small validator for the subset of JSON Schema (2020-12) that Lineage's schemas use:
/// `type`, `required`, `properties`, `additionalProperties`, `items`, `enum`, `const`, and
/// `$ref` to `#/$defs/...`. Unknown keywords are errors, so a schema cannot silently use
/// something this validator ignores.
struct JSONSchemaValidator {
    let root: [String: Any]
    static let known: Set<String> = ["$schema", "$id", "$defs", "title", "description", "type", "required", "properties",
                                     "additionalProperties", "items", "enum", "const", "$ref"]

    init(schemaFile: URL) throws {
        root = try JSONSerialization.jsonObject(with: Data(contentsOf: schemaFile)) as! [String: Any]
    }

    /// Problems found, each with its JSON path; empty when `value` conforms.
    func validate(_ value: Any) -> [String] { check(value, against: root, at: "$") }

    private func check(_ value: Any, against schema: [String: Any], at path: String) -> [String] {
        var problems = Set(schema.keys).subtracting(Self.known).sorted().map { "\(path): schema uses unsupported keyword \($0)" }
        if let reference = schema["$ref"] as? String {
            let name = reference.replacingOccurrences(of: "#/$defs/", with: "")
            guard let target = (root["$defs"] as? [String: Any])?[name] as? [String: Any] else {
                return problems + ["\(path): unresolved $ref \(reference)"]
            }
            problems += check(value, against: target, at: path)
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
                    problems += check(item, against: propertySchema, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] {
                    if let allowed = additional as? Bool {
                        if !allowed { problems.append("\(path): unexpected key \"\(key)\"") }
                    } else if let additionalSchema = additional as? [String: Any] {
                        problems += check(item, against: additionalSchema, at: "\(path).\(key)")
                    }
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { problems += check(item, against: items, at: "\(path)[\(index)]") }
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
