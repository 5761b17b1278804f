import Foundation

/// Reads one transcript file into `ImportedResponse`s, validating every record.
public struct TranscriptReader: Sendable {
    /// Overrides the model named inside the file.
    public var modelOverride: String?
    /// The FastChat question file; by default `question.jsonl` in the answer folder's parent.
    public var questionsPath: String?

    public init(modelOverride: String? = nil, questionsPath: String? = nil) {
        self.modelOverride = modelOverride
        self.questionsPath = questionsPath
    }

    /// What one file held.
    public struct Transcript: Sendable {
        public var format: TranscriptFormat
        public var responses: [ImportedResponse]
        /// Oddities that did not stop the import but a user should know of.
        public var warnings: [String]
    }

    /// Reads `path`, in `format` or in the format its content shows.
    public func read(_ path: String, format: TranscriptFormat? = nil) throws -> Transcript {
        let file = try TranscriptFile(path: path)
        let format = try format ?? TranscriptFormat.detect(file)
        let transcript: Transcript
        switch format {
        case .lineage: transcript = Transcript(format: format, responses: try readLineage(file), warnings: [])
        case .fastChat, .fastChatLegacy:
            let (responses, warnings) = try readFastChat(file, legacy: format == .fastChatLegacy)
            transcript = Transcript(format: format, responses: responses, warnings: warnings)
        case .alpacaEval: transcript = Transcript(format: format, responses: try readAlpacaEval(file), warnings: [])
        }
        for response in transcript.responses { try Self.checkNames(response, file: path) }
        return transcript
    }

    /// Names and ids reach terminals, reports and file names: none may hold a control character
    /// or a bidirectional override (`UnsafeCharacters`).
    static func checkNames(_ response: ImportedResponse, file: String) throws {
        let line = response.source.split(separator: ":").last.flatMap { Int($0) }
        let fields: [(String, String?, String)] = [
            ("model name", response.model, "rename the model in the file, or store it under another name with --model NAME"),
            ("probe id", response.externalID, "give the probe an id without control or bidirectional characters"),
            ("category", response.category, "write the category without control or bidirectional characters"),
        ]
        for (what, value, fix) in fields {
            guard let value, let (scalar, position) = UnsafeCharacters.first(in: value) else { continue }
            throw ImportError(file: file, line: line,
                              "\(what) \"\(UnsafeCharacters.visible(value, keeping: []))\" holds \(UnsafeCharacters.describe(scalar)) "
                              + "at character \(position): control characters and bidirectional overrides can make a name "
                              + "show as another on a terminal or in a report",
                              fix: fix)
        }
    }

    /// The model name FastChat's own tools use: the answer file's name (`answer_` prefix dropped).
    static func modelName(fromFile path: String) -> String {
        var name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if name.hasPrefix("answer_") { name.removeFirst("answer_".count) }
        return name
    }

    // MARK: Lineage JSONL

    private func readLineage(_ file: TranscriptFile) throws -> [ImportedResponse] {
        var seenProbeIDs: [String: (hash: String, line: Int)] = [:]
        var setHashes: [String: String] = [:]
        return try file.nonBlankLines.map { line in
            let object = try file.object(line)
            let model = try modelOverride ?? file.string(object, "model", line: line.number)!
            let probeID = try file.string(object, "probe_id", line: line.number)!
            let sampleIndex = try file.integer(object, "sample_index", line: line.number) ?? 0
            if sampleIndex < 0 {
                throw ImportError(file: file.path, line: line.number, "field \"sample_index\" is \(sampleIndex)",
                                  fix: "sample indexes count from 0 (the first sample of a probe is 0, the next 1, ...)")
            }
            let (probe, earlierAnswers) = try lineageProbe(object, file: file, line: line.number)
            guard let answer = try file.string(object, "response", line: line.number) else { fatalError() }
            let hash = probe.contentHash
            if let seen = seenProbeIDs[probeID], seen.hash != hash {
                throw ImportError(file: file.path, line: line.number,
                                  "probe_id \"\(probeID)\" has another prompt than on line \(seen.line)",
                                  fix: "give each distinct prompt its own probe_id")
            }
            seenProbeIDs[probeID] = (hash, line.number)
            let setName = try file.string(object, "probe_set", line: line.number, required: false) ?? "imported"
            let setVersion = try file.string(object, "probe_set_version", line: line.number, required: false) ?? "1"
            let setKey = "import:\(setName)@\(setVersion)"
            let setHash = setHashes[setKey] ?? ContentHash.sha256(setKey)
            setHashes[setKey] = setHash
            let extraTurns = object["extra_turns"] == nil ? [] : try file.strings(object, "extra_turns", line: line.number)
            return ImportedResponse(
                model: model, probe: probe,
                probeSet: ImportedProbeSet(name: setName, version: setVersion, contentHash: setHash),
                externalID: probeID,
                category: try file.string(object, "category", line: line.number, required: false),
                sampleIndex: sampleIndex,
                parameters: try parameters(object["params"], file: file, line: line.number),
                turns: earlierAnswers + [answer] + extraTurns,
                source: "\(file.path):\(line.number)", raw: line.text,
                finishReason: try file.string(object, "finish_reason", line: line.number, required: false))
        }
    }

    /// The probe of a Lineage JSONL record, from `prompt` (and optional `system`) or `messages`.
    /// Assistant messages inside `messages` are the same model's earlier answers.
    private func lineageProbe(_ object: [String: Any], file: TranscriptFile, line: Int) throws -> (ProbeContent, [String]) {
        if let prompt = try file.string(object, "prompt", line: line, required: false) {
            let system = try file.string(object, "system", line: line, required: false)
            return (ProbeContent(system: system, turns: [prompt]), [])
        }
        guard let messages = object["messages"] as? [[String: Any]] else {
            throw ImportError(file: file.path, line: line,
                              object["messages"] == nil ? "has neither \"prompt\" nor \"messages\""
                                                        : "field \"messages\" is not a list of {role, content} objects",
                              fix: "add \"prompt\": \"...\" or \"messages\": [{\"role\": \"user\", \"content\": \"...\"}]")
        }
        var system: String?
        var userTurns: [String] = []
        var answers: [String] = []
        for (index, message) in messages.enumerated() {
            guard let role = message["role"] as? String, let content = message["content"] as? String else {
                throw ImportError(file: file.path, line: line, "message \(index + 1) lacks a string \"role\" or \"content\"",
                                  fix: "write each message as {\"role\": \"user\", \"content\": \"...\"}")
            }
            let expected = userTurns.count == answers.count ? "user" : "assistant"
            switch role {
            case "system" where index == 0: system = content
            case "user" where expected == "user": userTurns.append(content)
            case "assistant" where expected == "assistant": answers.append(content)
            default:
                throw ImportError(file: file.path, line: line,
                                  "message \(index + 1) has role \"\(role)\" where \"\(expected)\" was expected",
                                  fix: "messages are an optional system message, then user and assistant turns alternating, ending with user")
            }
        }
        guard !userTurns.isEmpty, userTurns.count == answers.count + 1 else {
            throw ImportError(file: file.path, line: line, "\"messages\" must end with a user turn",
                              fix: "put the final answer in \"response\", not in \"messages\"")
        }
        return (ProbeContent(system: system, turns: userTurns), answers)
    }

    private func parameters(_ value: Any?, file: TranscriptFile, line: Int) throws -> SamplingParameters {
        guard let value, !(value is NSNull) else { return SamplingParameters() }
        guard let object = value as? [String: Any] else {
            throw ImportError(file: file.path, line: line, "field \"params\" is not an object",
                              fix: "write e.g. \"params\": {\"temperature\": 0.7, \"top_p\": 1, \"max_tokens\": 512, \"seed\": 1}")
        }
        let known: Set<String> = ["temperature", "top_p", "max_tokens", "seed"]
        if let unknown = object.keys.first(where: { !known.contains($0) }) {
            throw ImportError(file: file.path, line: line, "unknown sampling parameter \"\(unknown)\"",
                              fix: "params may hold temperature, top_p, max_tokens and seed")
        }
        return SamplingParameters(
            temperature: try file.double(object, "temperature", line: line),
            topP: try file.double(object, "top_p", line: line),
            maxTokens: try file.integer(object, "max_tokens", line: line),
            seed: try file.integer(object, "seed", line: line))
    }

    // MARK: FastChat

    private struct Question {
        let turns: [String]
        let category: String?
    }

    private func readFastChat(_ file: TranscriptFile, legacy: Bool) throws -> ([ImportedResponse], [String]) {
        let questionPath = try locateQuestions(for: file.path)
        let (questionSet, questions) = try readQuestions(questionPath)
        let fileModel = Self.modelName(fromFile: file.path)
        var result: [ImportedResponse] = []
        var extraTurnAnswers = 0
        for line in file.nonBlankLines {
            let object = try file.object(line)
            let questionID = try file.string(object, "question_id", line: line.number)!
            guard let question = questions[questionID] else {
                throw ImportError(file: file.path, line: line.number,
                                  "question_id \(questionID) is not in the question file \(questionPath)",
                                  fix: "pass the question file these answers belong to with --questions")
            }
            let model = modelOverride ?? fileModel
            let choices: [(index: Int, turns: [String])]
            if legacy {
                choices = [(0, [try file.string(object, "text", line: line.number)!])]
            } else {
                guard let list = object["choices"] as? [[String: Any]], !list.isEmpty else {
                    throw ImportError(file: file.path, line: line.number, "field \"choices\" is not a non-empty list of objects",
                                      fix: "FastChat answers hold \"choices\": [{\"index\": 0, \"turns\": [\"...\"]}]")
                }
                choices = try list.enumerated().map { position, choice in
                    (try file.integer(choice, "index", line: line.number) ?? position,
                     try file.turnTexts(choice, "turns", line: line.number))
                }
            }
            for choice in choices {
                guard !choice.turns.isEmpty else {
                    throw ImportError(file: file.path, line: line.number, "answer to question \(questionID) has no turns",
                                      fix: "each choice needs at least one answer in \"turns\"")
                }
                // An answer to the first turns only answers the conversation's prefix: a probe of its own.
                // Answers with more turns than the question answer follow-ups the question file lacks
                // (arena-bench has some): they are kept as given, and counted as a warning.
                let probe = ProbeContent(turns: Array(question.turns.prefix(choice.turns.count)))
                if choice.turns.count > question.turns.count { extraTurnAnswers += 1 }
                result.append(ImportedResponse(
                    model: model, probe: probe, probeSet: questionSet, externalID: questionID,
                    category: question.category, sampleIndex: choice.index, parameters: SamplingParameters(),
                    turns: choice.turns, source: "\(file.path):\(line.number)", raw: line.text))
            }
        }
        var warnings: [String] = []
        if extraTurnAnswers > 0 {
            warnings.append("\(file.path): \(extraTurnAnswers) answers have more turns than their question in \(questionPath); "
                            + "the extra turns answer follow-ups the question file lacks and are stored as given")
        }
        return (result, warnings)
    }

    private func locateQuestions(for answerPath: String) throws -> String {
        if let questionsPath { return questionsPath }
        let folder = URL(fileURLWithPath: answerPath).deletingLastPathComponent()
        let candidates = [folder.deletingLastPathComponent().appendingPathComponent("question.jsonl"),
                          folder.appendingPathComponent("question.jsonl")]
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            return found.path
        }
        throw ImportError(file: answerPath, "is a FastChat answer file, but no question.jsonl was found beside it or in its parent folder",
                          fix: "pass the question file with --questions PATH")
    }

    private func readQuestions(_ path: String) throws -> (ImportedProbeSet, [String: Question]) {
        let file = try TranscriptFile(path: path)
        var questions: [String: Question] = [:]
        for line in file.nonBlankLines {
            let object = try file.object(line)
            let id = try file.string(object, "question_id", line: line.number)!
            let turns: [String]
            if object["turns"] != nil {
                turns = try file.turnTexts(object, "turns", line: line.number)
            } else if let text = try file.string(object, "text", line: line.number, required: false) {
                turns = [text]
            } else {
                throw ImportError(file: path, line: line.number, "question has neither \"turns\" nor \"text\"",
                                  fix: "a FastChat question is {\"question_id\": ..., \"turns\": [\"...\"]}")
            }
            guard !turns.isEmpty else {
                throw ImportError(file: path, line: line.number, "question \(id) has no turns", fix: "give it at least one turn")
            }
            if questions[id] != nil {
                throw ImportError(file: path, line: line.number, "question_id \(id) appears twice",
                                  fix: "question ids must be unique in a question file")
            }
            questions[id] = Question(turns: turns, category: try file.string(object, "category", line: line.number, required: false))
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
        let set = ImportedProbeSet(name: folder.isEmpty ? "questions" : folder, version: "imported",
                                   contentHash: ContentHash.sha256(file.text))
        return (set, questions)
    }

    // MARK: AlpacaEval

    private func readAlpacaEval(_ file: TranscriptFile) throws -> [ImportedResponse] {
        guard let list = try file.wholeJSON() as? [Any] else {
            throw ImportError(file: file.path, line: 1, "is not a JSON list",
                              fix: "AlpacaEval model_outputs.json is a list of {instruction, output, generator, dataset}")
        }
        let set = ImportedProbeSet(name: "alpaca_eval", version: "imported",
                                   contentHash: ContentHash.sha256("import:alpaca_eval"))
        let lineStarts = Self.objectLines(in: file.text, count: list.count)
        return try list.enumerated().map { index, element in
            let line = lineStarts[index]
            guard let object = element as? [String: Any] else {
                throw ImportError(file: file.path, line: line, "entry \(index + 1) is not an object",
                                  fix: "each entry is {instruction, output, generator, dataset}")
            }
            let instruction = try file.string(object, "instruction", line: line)!
            let output = try file.string(object, "output", line: line)!
            let model = try modelOverride ?? file.string(object, "generator", line: line)!
            let probe = ProbeContent(turns: [instruction])
            return ImportedResponse(
                model: model, probe: probe, probeSet: set, externalID: String(probe.contentHash.prefix(16)),
                category: try file.string(object, "dataset", line: line, required: false),
                sampleIndex: 0, parameters: SamplingParameters(), turns: [output],
                source: "\(file.path):\(line)", raw: ContentHash.canonicalJSON(JSONValue(object)))
        }
    }

    /// Line numbers where the top-level list's objects begin (best effort, for error messages).
    static func objectLines(in text: String, count: Int) -> [Int] {
        var lines: [Int] = []
        var depth = 0, line = 1, inString = false, escaped = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if depth == 1 { lines.append(line) }
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            default:
                if depth == 1 && !(byte == UInt8(ascii: ",") || byte == 32 || byte == 10 || byte == 13 || byte == 9)
                    && (lines.count < count) && lines.last != line { lines.append(line) }
            }
        }
        while lines.count < count { lines.append(line) }
        return lines
    }
}

/// A JSON value from `JSONSerialization`, re-encodable canonically.
struct JSONValue: Encodable {
    let value: Any
    init(_ value: Any) { self.value = value }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case let string as String: try container.encode(string)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { try container.encode(number.boolValue) }
            else if let int = Int(exactly: number.doubleValue), !"\(number)".contains(".") { try container.encode(int) }
            else { try container.encode(number.doubleValue) }
        case let array as [Any]: try container.encode(array.map(JSONValue.init))
        case let object as [String: Any]: try container.encode(object.mapValues(JSONValue.init))
        default: try container.encodeNil()
        }
    }
}
