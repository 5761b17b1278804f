import Foundation
import GRDB

/// The sampling settings a response was produced with. Part of a response's identity: the same
/// probe asked at another temperature is another unit of work.
public struct SamplingParameters: Codable, Hashable, Sendable {
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var seed: Int?

    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, seed: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case temperature, topP = "top_p", maxTokens = "max_tokens", seed
    }

    /// Canonical JSON, used as the parameters' key in the store.
    public var key: String {
        var writer = CanonicalJSONWriter(capacity: 64)
        writer.parameters(self)
        return writer.string
    }
}

/// What a probe asks: an optional system prompt and one or more user turns.
/// Two probes with the same content are the same probe, whichever file or set they came from.
public struct ProbeContent: Codable, Hashable, Sendable {
    public var system: String?
    public var turns: [String]

    public init(system: String? = nil, turns: [String]) {
        self.system = system
        self.turns = turns
    }

    /// Hash of the canonical JSON `{"system":…,"turns":[…]}` (what `ContentHash.of(self)` gives).
    public var contentHash: String {
        var writer = CanonicalJSONWriter()
        writer.probe(self)
        return ContentHash.sha256(bytes: writer.bytes)
    }
}

public struct ModelRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "model"
    public var id: Int64?
    public var name: String
    /// "import", "openai", "anthropic", "gemini", ...
    public var backend: String
    public var endpoint: String?
    public var providerModelID: String?
    public var createdAt: Date

    public init(id: Int64? = nil, name: String, backend: String, endpoint: String? = nil,
                providerModelID: String? = nil, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.backend = backend
        self.endpoint = endpoint
        self.providerModelID = providerModelID
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct ProbeSetRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "probeSet"
    public var id: Int64?
    public var name: String
    public var version: String
    public var description: String?
    /// Hash of the whole set's content; a set edited later is another set.
    public var contentHash: String
    public var createdAt: Date

    public init(id: Int64? = nil, name: String, version: String, description: String? = nil,
                contentHash: String, createdAt: Date = Date()) {
        self.id = id
        self.name = name
        self.version = version
        self.description = description
        self.contentHash = contentHash
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct ProbeRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "probe"
    public var id: Int64?
    public var contentHash: String
    public var system: String?
    /// User turns, stored as JSON.
    public var turns: [String]

    public init(id: Int64? = nil, content: ProbeContent) {
        self.id = id
        self.contentHash = content.contentHash
        self.system = content.system
        self.turns = content.turns
    }

    public var content: ProbeContent { ProbeContent(system: system, turns: turns) }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A probe's place in a probe set: its id and category there.
public struct ProbeSetMemberRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "probeSetMember"
    public var probeSetID: Int64
    public var probeID: Int64
    public var externalID: String
    public var category: String?
    public var tags: [String]

    public init(probeSetID: Int64, probeID: Int64, externalID: String, category: String?, tags: [String] = []) {
        self.probeSetID = probeSetID
        self.probeID = probeID
        self.externalID = externalID
        self.category = category
        self.tags = tags
    }
}

/// One invocation that added responses: an import or a collection run.
public struct RunRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"
    public enum Kind: String, Codable, Sendable { case `import`, collect }
    public var id: Int64?
    public var kind: Kind
    public var command: String
    /// Free-form JSON describing the configuration (never secrets).
    public var configuration: String
    public var probeSetID: Int64?
    public var probeSetHash: String?
    public var toolVersion: String
    public var startedAt: Date
    public var finishedAt: Date?

    public init(id: Int64? = nil, kind: Kind, command: String, configuration: String = "{}",
                probeSetID: Int64? = nil, probeSetHash: String? = nil,
                toolVersion: String = LineageVersion.current, startedAt: Date = Date(), finishedAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.command = command
        self.configuration = configuration
        self.probeSetID = probeSetID
        self.probeSetHash = probeSetHash
        self.toolVersion = toolVersion
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One answer of one model to one probe (or a failed attempt at one). Append-only.
public struct ResponseRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "response"
    public enum Status: String, Codable, Sendable { case ok, failed }
    public enum Origin: String, Codable, Sendable { case `import`, collect }

    public var id: Int64?
    public var runID: Int64
    public var modelID: Int64
    public var probeID: Int64
    public var sampleIndex: Int
    public var parameters: SamplingParameters
    /// Canonical JSON of `parameters`, the column the unit-of-work index uses.
    public var parametersKey: String
    public var origin: Origin
    public var status: Status
    /// The assistant's turns, one per user turn of the probe (JSON). An imported answer may hold more:
    /// follow-ups whose prompts its source did not record.
    public var turns: [String]
    public var error: String?
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Raw bodies as sent and received, secrets removed. For imports, the source record.
    public var requestBody: String?
    public var responseBody: String?
    public var requestHash: String?
    public var responseBodyHash: String?
    /// Where an imported response came from: "file:line".
    public var source: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var latencyMilliseconds: Double?
    /// SHA-256 of the response's identity and content (see `ResponseRecord.computeContentHash`).
    public var contentHash: String
    public var createdAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The hash that identifies a response's content: model, probe, sample, parameters, answer
    /// (or error). It survives export and re-import, so it can tie a report to raw responses.
    public static func computeContentHash(model: String, probeHash: String, sampleIndex: Int,
                                          parameters: SamplingParameters, status: Status,
                                          turns: [String], error: String?) -> String {
        // The canonical JSON of {model, probe, sample, parameters, status, turns, error}, keys sorted,
        // a nil error left out: what `ContentHash.of` gives for these fields, written directly.
        var writer = CanonicalJSONWriter(capacity: 256 + turns.reduce(0) { $0 + $1.utf8.count })
        writer.raw("{")
        if let error { writer.key("error"); writer.string(error); writer.comma() }
        writer.key("model"); writer.string(model); writer.comma()
        writer.key("parameters"); writer.parameters(parameters); writer.comma()
        writer.key("probe"); writer.string(probeHash); writer.comma()
        writer.key("sample"); writer.integer(sampleIndex); writer.comma()
        writer.key("status"); writer.string(status.rawValue); writer.comma()
        writer.key("turns"); writer.strings(turns)
        writer.raw("}")
        return ContentHash.sha256(bytes: writer.bytes)
    }
}

public enum LineageVersion {
    public static let current = "0.1.0"
}
