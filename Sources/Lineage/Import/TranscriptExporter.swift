import Foundation
import GRDB

/// Writes the store's successful responses as Lineage JSONL, the format `lineage import` reads
/// back with the same content hashes.
public struct TranscriptExporter: Sendable {
    /// One line of Lineage JSONL.
    public struct Line: Codable, Sendable, Equatable {
        public struct Message: Codable, Sendable, Equatable {
            public var role: String
            public var content: String
        }
        public var model: String
        public var probe_id: String
        public var probe_set: String?
        public var probe_set_version: String?
        public var category: String?
        public var messages: [Message]
        public var response: String
        /// Answers after the last recorded user turn (follow-ups whose prompts the source lacked).
        public var extra_turns: [String]?
        /// Why generation stopped, when it was recorded ("length": cut at max_tokens).
        public var finish_reason: String?
        public var sample_index: Int
        public var params: SamplingParameters
        public var content_hash: String
    }

    public init() {}

    public func lines(from store: ResponseStore, models: [String]? = nil) throws -> [Line] {
        let responses = try store.responses(models: models)
        let members = try store.read { db in
            try Row.fetchAll(db, sql: """
                SELECT m.probeID, m.externalID, m.category, s.name, s.version
                FROM probeSetMember m JOIN probeSet s ON s.id = m.probeSetID
                ORDER BY m.probeSetID, m.externalID
                """)
                .reduce(into: [Int64: (String, String?, String, String)]()) { result, row in
                    let probeID: Int64 = row[0]
                    if result[probeID] == nil { result[probeID] = (row[1], row[2], row[3], row[4]) }
                }
        }
        return responses.map { response in
            var messages: [Line.Message] = []
            if let system = response.probe.system { messages.append(.init(role: "system", content: system)) }
            for (index, turn) in response.probe.turns.enumerated() {
                messages.append(.init(role: "user", content: turn))
                if index < min(response.turns.count, response.probe.turns.count) - 1 {
                    messages.append(.init(role: "assistant", content: response.turns[index]))
                }
            }
            let member = members[response.probeID]
            let prompted = min(response.turns.count, response.probe.turns.count)
            let extra = Array(response.turns.dropFirst(prompted))
            return Line(model: response.model, probe_id: member?.0 ?? String(response.probeHash.prefix(16)),
                        probe_set: member?.2, probe_set_version: member?.3, category: member?.1,
                        messages: messages, response: response.turns[prompted - 1],
                        extra_turns: extra.isEmpty ? nil : extra, finish_reason: response.finishReason,
                        sample_index: response.sampleIndex, params: response.parameters,
                        content_hash: response.contentHash)
        }
    }

    /// The JSONL text, one response per line.
    public func export(from store: ResponseStore, models: [String]? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try lines(from: store, models: models)
            .map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }
            .joined()
    }
}
