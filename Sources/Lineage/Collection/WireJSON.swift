import Foundation

/// A JSON value: request fields passed through from configuration, and the parts of API replies
/// (such as logprobs) that are kept as they came.
public enum WireJSON: Codable, Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([WireJSON])
    case object([String: WireJSON])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([WireJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: WireJSON].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> WireJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> WireJSON? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    public var string: String? { if case .string(let value) = self { return value }; return nil }
    public var number: Double? { if case .number(let value) = self { return value }; return nil }
    public var int: Int? { number.flatMap { $0.rounded() == $0 ? Int(exactly: $0) : nil } }
    public var array: [WireJSON]? { if case .array(let value) = self { return value }; return nil }
    public var object: [String: WireJSON]? { if case .object(let value) = self { return value }; return nil }

    /// Compact JSON with sorted keys: the exact bytes sent, reproducible run to run.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try! encoder.encode(self)   // a WireJSON always encodes (non-finite numbers never enter one)
    }

    public static func decode(_ data: Data) throws -> WireJSON {
        try JSONDecoder().decode(WireJSON.self, from: data)
    }
}
