import Foundation

/// The transcript layouts `lineage import` understands.
public enum TranscriptFormat: String, CaseIterable, Sendable, Codable {
    /// Lineage's own JSON Lines: one object per response (see README, "Lineage JSONL").
    case lineage = "lineage-jsonl"
    /// FastChat answer files, `{question_id, model_id, choices:[{index, turns:[...]}]}`, with a
    /// `question.jsonl` beside them (MT-bench, arena-bench).
    case fastChat = "fastchat"
    /// The older FastChat answer files, `{question_id, model_id, text}` (vicuna-bench).
    case fastChatLegacy = "fastchat-legacy"
    /// AlpacaEval `model_outputs.json`: a JSON list of `{instruction, output, generator, dataset}`.
    case alpacaEval = "alpaca-eval"

    /// Recognises the format from the file's content: a JSON list is AlpacaEval; otherwise the
    /// first JSON Lines object's fields decide.
    static func detect(_ file: TranscriptFile) throws -> TranscriptFormat {
        if file.firstSignificantCharacter == "[" { return .alpacaEval }
        guard let first = file.firstNonBlankLine else {
            throw ImportError(file: file.path, "is empty", fix: "pass a file that holds transcripts")
        }
        let object = try file.object(first)
        if object["choices"] != nil && object["question_id"] != nil { return .fastChat }
        if object["question_id"] != nil && object["text"] != nil { return .fastChatLegacy }
        if object["response"] != nil || object["probe_id"] != nil { return .lineage }
        throw ImportError(
            file: file.path, line: first.number,
            "is in no format Lineage knows (fields: \(object.keys.sorted().joined(separator: ", ")))",
            fix: "use Lineage JSONL ({model, probe_id, prompt or messages, response}), a FastChat answer file, "
                + "or AlpacaEval model_outputs.json; or name the format with --format")
    }
}

/// One answer read from a transcript, before it meets the store.
public struct ImportedResponse: Sendable, Equatable {
    public var model: String
    public var probe: ProbeContent
    public var probeSet: ImportedProbeSet
    public var externalID: String
    public var category: String?
    public var sampleIndex: Int
    public var parameters: SamplingParameters
    public var turns: [String]
    /// "file:line", for error messages and provenance.
    public var source: String
    /// The source record as it stood in the file.
    public var raw: String
    /// Why generation stopped ("stop", "length", ...), when the source says (Lineage JSONL `finish_reason`).
    public var finishReason: String? = nil
}

/// The probe set an imported probe belongs to: the question file, or a name given in the data.
public struct ImportedProbeSet: Sendable, Hashable {
    public var name: String
    public var version: String
    public var contentHash: String
}
