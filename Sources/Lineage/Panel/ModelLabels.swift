import Foundation

/// Reads model annotations from a labels file, for `lineage models annotate --labels FILE`.
///
/// Two forms:
/// - JSON Lines, one annotation per line: `{"model": "dolly-v2-12b", "maker": "Databricks",
///   "trained_on": "human", "source": "https://..."}` (`teacher` for distilled and derived models);
/// - the lineage-dev labels file (`lineage.json`): `{"datasets": {NAME: {"models": [{"model", "group",
///   "teacher", "evidence", "upstream"}]}}}` or `{"models": [...]}`, whose `group` (e.g. `control_human`,
///   `student_openai`, `frontier_google`) says what the model was trained on.
public enum ModelLabels {
    /// The makers a lineage-dev group names, by the group's suffix.
    static let makers = ["openai": "OpenAI", "anthropic": "Anthropic", "google": "Google", "meta": "Meta",
                         "mistral": "Mistral", "alibaba": "Alibaba"]

    public static func read(path: String) throws -> [ModelAnnotation] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ImportError(file: path, "is not a readable file", fix: "pass a labels file (JSON Lines, or a lineage.json)")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError(file: path, "is not UTF-8 text", fix: "save the labels file as UTF-8")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{"), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           object["datasets"] != nil || object["models"] != nil {
            return try readLineageDev(object, path: path)
        }
        var annotations: [ModelAnnotation] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.trimmingCharacters(in: .whitespaces)
            guard !content.isEmpty else { continue }
            do {
                annotations.append(try annotation(from: Data(content.utf8), path: path, line: index + 1))
            }
        }
        guard !annotations.isEmpty else {
            throw ImportError(file: path, "holds no annotations", fix: "write one JSON object per line: {\"model\": ..., \"trained_on\": ...}")
        }
        return annotations
    }

    static func annotation(from data: Data, path: String, line: Int) throws -> ModelAnnotation {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ImportError(file: path, line: line, "is not a JSON object", fix: "write one JSON object per line")
        }
        guard let model = object["model"] as? String, !model.isEmpty else {
            throw ImportError(file: path, line: line, "has no \"model\" string", fix: "name the model: {\"model\": \"NAME\", ...}")
        }
        if let group = object["group"] as? String, object["trained_on"] == nil {
            return try annotation(model: model, group: group, evidence: object["evidence"] as? String, upstream: nil, path: path, line: line)
        }
        let kinds = ModelAnnotation.TrainingData.allCases.map(\.rawValue)
        guard let raw = object["trained_on"] as? String, let trainedOn = ModelAnnotation.TrainingData(rawValue: raw) else {
            throw ImportError(file: path, line: line, "model \(model) has no valid \"trained_on\"",
                              fix: "set \"trained_on\" to one of \(kinds.joined(separator: ", "))")
        }
        let teacher = object["teacher"] as? String
        if (trainedOn == .distilled || trainedOn == .derived) && teacher == nil {
            throw ImportError(file: path, line: line, "model \(model) is \(raw) but names no \"teacher\"",
                              fix: "name the maker whose outputs or weights it comes from: \"teacher\": \"OpenAI\"")
        }
        return ModelAnnotation(model: model, maker: object["maker"] as? String, trainedOn: trainedOn, teacher: teacher,
                               source: object["source"] as? String, note: object["note"] as? String)
    }

    static func readLineageDev(_ object: [String: Any], path: String) throws -> [ModelAnnotation] {
        var lists: [[[String: Any]]] = []
        if let datasets = object["datasets"] as? [String: Any] {
            for name in datasets.keys.sorted() {
                if let models = (datasets[name] as? [String: Any])?["models"] as? [[String: Any]] { lists.append(models) }
            }
        } else if let models = object["models"] as? [[String: Any]] {
            lists.append(models)
        }
        var byModel: [String: ModelAnnotation] = [:]
        for (position, entry) in lists.joined().enumerated() {
            guard let model = entry["model"] as? String, let group = entry["group"] as? String else {
                throw ImportError(file: path, "entry \(position + 1) of its models lacks \"model\" or \"group\"",
                                  fix: "each model entry needs {\"model\": ..., \"group\": ...}")
            }
            let upstream = (entry["upstream"] as? [String: Any]).flatMap { u in
                (u["repo"] as? String).map { "\($0)" + ((u["path"] as? String).map { ":" + $0 } ?? "") }
            }
            byModel[model] = try annotation(model: model, group: group, evidence: entry["evidence"] as? String, upstream: upstream,
                                            path: path, line: nil)
        }
        return byModel.keys.sorted().map { byModel[$0]! }
    }

    /// A lineage-dev group as an annotation: `teacher_openai` and `frontier_X` are X's own models,
    /// `student_X` distilled from X, `derived_X` made from X's weights, `control_human`, `control_base`,
    /// `control_self`; `mixed` and `unknown*` are undisclosed.
    static func annotation(model: String, group: String, evidence: String?, upstream: String?, path: String, line: Int?) throws -> ModelAnnotation {
        let parts = group.lowercased().split(separator: "_", maxSplits: 1).map(String.init)
        let maker = parts.count == 2 ? makers[parts[1]] : nil
        let trainedOn: ModelAnnotation.TrainingData
        var teacher: String?
        var owner: String?
        switch (parts.first ?? "", parts.count == 2 ? parts[1] : "") {
        case ("teacher", _), ("frontier", _): trainedOn = .original; owner = maker
        case ("student", _): trainedOn = .distilled; teacher = maker
        case ("derived", _): trainedOn = .derived; teacher = maker
        case ("control", "human"): trainedOn = .human
        case ("control", "base"): trainedOn = .base
        case ("control", "self"): trainedOn = .selfTuned
        case ("mixed", _): trainedOn = .mixed
        case ("unknown", _): trainedOn = .undisclosed
        default:
            throw ImportError(file: path, line: line, "model \(model) has an unknown group \"\(group)\"",
                              fix: "use one of teacher_X, frontier_X, student_X, derived_X (X: \(makers.keys.sorted().joined(separator: ", "))), "
                                  + "control_human, control_base, control_self, mixed, unknown")
        }
        if (trainedOn == .original || trainedOn == .distilled || trainedOn == .derived) && maker == nil {
            throw ImportError(file: path, line: line, "model \(model): the group \"\(group)\" names no known maker",
                              fix: "end the group with one of \(makers.keys.sorted().joined(separator: ", "))")
        }
        return ModelAnnotation(model: model, maker: owner, trainedOn: trainedOn, teacher: teacher,
                               source: [evidence, upstream].compactMap { $0 }.joined(separator: "; ").nilIfEmpty,
                               note: "lineage-dev group \(group)")
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
