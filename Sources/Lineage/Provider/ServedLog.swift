import Foundation

/// One exchange a provider served, as its log records it (`served-log` JSON Lines, one per line):
///
///     {"account": "acct-0042", "time": "2026-03-01T12:00:00Z", "system": "optional",
///      "prompt": "Explain RAID 5.", "response": "RAID 5 stripes ...",
///      "model_snapshot": "acme-chat-2026-02-15", "params": {"temperature": 0.7, "top_p": 1, "max_tokens": 512, "seed": 7},
///      "request_id": "optional"}
///
/// Every field but `system`, `request_id` and the optional params is required; `time` is ISO 8601.
public struct ServedRecord: Codable, Sendable, Equatable {
    public var account: String
    public var time: Date
    public var requestID: String?
    public var probe: ProbeContent
    public var response: String
    public var snapshot: String
    public var parameters: SamplingParameters
    /// "file:line".
    public var source: String
    /// The line as it was in the log.
    public var raw: String

    /// SHA-256 of the record's canonical JSON (account, time, request, answer, snapshot, parameters):
    /// what identifies it in the store, so importing a log again adds nothing.
    public var recordHash: String {
        struct Canonical: Encodable {
            let account: String, time: String, request_id: String?, system: String?, turns: [String]
            let response: String, model_snapshot: String, params: String
        }
        return ContentHash.of(Canonical(account: account, time: ISO8601DateFormatter().string(from: time), request_id: requestID,
                                        system: probe.system, turns: probe.turns, response: response,
                                        model_snapshot: snapshot, params: parameters.key))
    }

    /// The sample index the store files the record under: the record hash's first 31 bits, so
    /// records of the same prompt stay apart and a re-import finds its own records.
    public var sampleIndex: Int { Int(UInt32(recordHash.prefix(8), radix: 16)! >> 1) }

    /// The model name its answers are stored under by default.
    public static func modelName(snapshot: String) -> String { "served:\(snapshot)" }
}

/// Reads a served log, checking every line before anything is stored; errors name file, line and fix.
public enum ServedLogReader {
    public static let fields: Set<String> = ["account", "time", "request_id", "system", "prompt", "response", "model_snapshot", "params"]

    public static func read(_ path: String) throws -> [ServedRecord] {
        let file = try TranscriptFile(path: path)
        let formatter = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try file.nonBlankLines.map { line in
            let object = try file.object(line)
            let n = line.number
            if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
                throw ImportError(file: path, line: n, "unknown field \"\(unknown)\" in a served-log record",
                                  fix: "a record holds \(fields.sorted().joined(separator: ", ")) (README: Provider forensics)")
            }
            let timeText = try file.string(object, "time", line: n)!
            guard let time = formatter.date(from: timeText) ?? fractional.date(from: timeText) else {
                throw ImportError(file: path, line: n, "\"time\" is not an ISO 8601 date-time: \(timeText)",
                                  fix: "write it like \"2026-03-01T12:00:00Z\"")
            }
            let prompt = try file.string(object, "prompt", line: n)!
            guard let paramsObject = object["params"] as? [String: Any] else {
                throw ImportError(file: path, line: n, "no \"params\" object",
                                  fix: "record the sampling parameters the answer was served with, e.g. \"params\": {\"temperature\": 0.7, \"top_p\": 1, \"max_tokens\": 512}")
            }
            let known: Set<String> = ["temperature", "top_p", "max_tokens", "seed"]
            if let unknown = paramsObject.keys.sorted().first(where: { !known.contains($0) }) {
                throw ImportError(file: path, line: n, "unknown sampling parameter \"\(unknown)\"",
                                  fix: "params may hold temperature, top_p, max_tokens and seed")
            }
            let parameters = SamplingParameters(
                temperature: try file.double(paramsObject, "temperature", line: n),
                topP: try file.double(paramsObject, "top_p", line: n),
                maxTokens: try file.integer(paramsObject, "max_tokens", line: n),
                seed: try file.integer(paramsObject, "seed", line: n))
            guard parameters.temperature != nil else {
                throw ImportError(file: path, line: n, "params has no \"temperature\"",
                                  fix: "record the temperature the answer was served at (the served-sample test needs it)")
            }
            let snapshot = try file.string(object, "model_snapshot", line: n)!
            guard !snapshot.isEmpty else {
                throw ImportError(file: path, line: n, "\"model_snapshot\" is empty", fix: "name the exact model snapshot that served the answer")
            }
            return ServedRecord(account: try file.string(object, "account", line: n)!, time: time,
                                requestID: try file.string(object, "request_id", line: n, required: false),
                                probe: ProbeContent(system: try file.string(object, "system", line: n, required: false), turns: [prompt]),
                                response: try file.string(object, "response", line: n)!, snapshot: snapshot,
                                parameters: parameters, source: "\(path):\(n)", raw: line.text)
        }
    }
}
