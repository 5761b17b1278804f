import Foundation

/// One study of a batch (`lineage attribute --pairs FILE`): the suspect and the roles named for it;
/// empty roles are filled from the store's annotations.
public struct PairRequest: Codable, Sendable, Equatable {
    public var suspect: String
    public var references: [String]
    public var alternatives: [String]
    public var controls: [String]

    public init(suspect: String, references: [String], alternatives: [String] = [], controls: [String] = []) {
        self.suspect = suspect
        self.references = references
        self.alternatives = alternatives
        self.controls = controls
    }

    /// CSV with the header `suspect,references,alternatives,controls` (lists separated by `;`, no quoting
    /// needed for model names), or JSON Lines of `{"suspect", "references", "alternatives", "controls"}`
    /// (`reference` is accepted for a single one).
    public static func read(path: String) throws -> [PairRequest] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ImportError(file: path, "is not a readable UTF-8 file", fix: "pass a pairs file (CSV or JSON Lines)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let firstIndex = lines.firstIndex(where: { !$0.isEmpty }) else {
            throw ImportError(file: path, "is empty", fix: "write one study per line")
        }
        var requests: [PairRequest] = []
        if lines[firstIndex].hasPrefix("{") {
            for (index, line) in lines.enumerated() where !line.isEmpty {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw ImportError(file: path, line: index + 1, "is not a JSON object", fix: "write one {\"suspect\": ..., \"references\": [...]} per line")
                }
                func list(_ key: String) throws -> [String] {
                    guard let value = object[key] else { return [] }
                    if let one = value as? String { return [one] }
                    guard let many = value as? [String] else {
                        throw ImportError(file: path, line: index + 1, "\"\(key)\" is not a list of model names", fix: "write \"\(key)\": [\"model\", ...]")
                    }
                    return many
                }
                guard let suspect = object["suspect"] as? String, !suspect.isEmpty else {
                    throw ImportError(file: path, line: index + 1, "has no \"suspect\"", fix: "name the suspect: {\"suspect\": \"MODEL\", ...}")
                }
                let references = try list("references") + list("reference")
                guard !references.isEmpty else {
                    throw ImportError(file: path, line: index + 1, "names no reference", fix: "add \"references\": [\"MODEL\"]")
                }
                requests.append(PairRequest(suspect: suspect, references: references, alternatives: try list("alternatives"),
                                            controls: try list("controls")))
            }
            return requests
        }
        let header = lines[firstIndex].split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let expected = ["suspect", "references", "alternatives", "controls"]
        guard header == expected || header == Array(expected.prefix(2)) || header == Array(expected.prefix(3)) else {
            throw ImportError(file: path, line: firstIndex + 1, "the CSV header is \(header.joined(separator: ",")), not suspect,references,alternatives,controls",
                              fix: "start the file with the line suspect,references,alternatives,controls")
        }
        for (index, line) in lines.enumerated() where index > firstIndex && !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count <= header.count, fields.count >= 2 else {
                throw ImportError(file: path, line: index + 1, "has \(fields.count) fields, the header \(header.count)",
                                  fix: "separate models within a field with ';', not ','")
            }
            func list(_ i: Int) -> [String] {
                i < fields.count ? fields[i].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : []
            }
            guard !fields[0].isEmpty, !list(1).isEmpty else {
                throw ImportError(file: path, line: index + 1, "needs a suspect and at least one reference", fix: "write suspect,reference[;reference...],...")
            }
            requests.append(PairRequest(suspect: fields[0], references: list(1), alternatives: list(2), controls: list(3)))
        }
        return requests
    }
}
