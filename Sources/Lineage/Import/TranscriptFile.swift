import Foundation

/// A transcript file read into memory and checked to be UTF-8 text, with JSON helpers that report
/// errors by file and line.
struct TranscriptFile {
    let path: String
    let text: String

    /// A non-blank line with its 1-based number.
    struct Line {
        let number: Int
        let text: String
    }

    init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ImportError(file: path, "is a folder, not a transcript file",
                              fix: "pass the files inside it, e.g. `lineage import \(path)/*.jsonl`")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImportError(file: path, "cannot be read (\(Self.reason(error)))",
                              fix: "check the path and the file's permissions")
        }
        // Like `String(data:encoding: .utf8)`, one leading byte-order mark is dropped.
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let body = data.starts(with: byteOrderMark) ? data.dropFirst(byteOrderMark.count) : data[...]
        guard let text = String(validating: body, as: UTF8.self) else {
            throw ImportError(file: path, line: Self.firstInvalidUTF8Line(data),
                              "is not UTF-8 text",
                              fix: "convert it, e.g. `iconv -f LATIN1 -t UTF-8 \(path) > fixed.jsonl`")
        }
        if text.allSatisfy(\.isWhitespace) {
            throw ImportError(file: path, "is empty", fix: "pass a file that holds transcripts")
        }
        self.text = text
    }

    /// The lines that hold more than whitespace. Lines end at "\n", "\r\n" or "\r" (JSON Lines'
    /// separators); U+0085, U+2028 and U+2029 may stand raw inside JSON strings and end no line.
    var nonBlankLines: [Line] { nonBlankLines(limit: .max) }

    var firstNonBlankLine: Line? { nonBlankLines(limit: 1).first }

    private func nonBlankLines(limit: Int) -> [Line] {
        var result: [Line] = []
        var text = text
        text.withUTF8 { utf8 in
            var number = 0
            var start = 0
            var index = 0
            func take(_ end: Int) {
                number += 1
                let bytes = UnsafeBufferPointer(rebasing: utf8[start..<end])
                if !Self.isBlank(bytes) { result.append(Line(number: number, text: String(decoding: bytes, as: UTF8.self))) }
            }
            while index < utf8.count && result.count < limit {
                switch utf8[index] {
                case UInt8(ascii: "\n"):
                    take(index)
                    start = index + 1
                case UInt8(ascii: "\r"):
                    take(index)
                    if index + 1 < utf8.count && utf8[index + 1] == UInt8(ascii: "\n") { index += 1 }
                    start = index + 1
                default: break
                }
                index += 1
            }
            if start < utf8.count && result.count < limit { take(utf8.count) }
        }
        return result
    }

    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0B, 0x0C: continue
            case 0x80...: return String(decoding: bytes, as: UTF8.self).allSatisfy(\.isWhitespace)
            default: return false
            }
        }
        return true
    }

    /// The first non-blank character, which tells JSON arrays from JSON Lines.
    var firstSignificantCharacter: Character? {
        text.first { !$0.isWhitespace }
    }

    func object(_ line: Line) throws -> [String: Any] {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(line.text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw ImportError(file: path, line: line.number, "is not valid JSON (\(Self.reason(error)))",
                              fix: "each line must be one complete JSON object")
        }
        guard let object = value as? [String: Any] else {
            throw ImportError(file: path, line: line.number, "is JSON but not an object",
                              fix: "each line must be one JSON object, {...}")
        }
        return object
    }

    func wholeJSON() throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            throw ImportError(file: path, line: Self.errorLine(error, in: text),
                              "is not valid JSON (\(Self.reason(error)))",
                              fix: "the file must be one JSON document")
        }
    }

    // MARK: field access

    func string(_ object: [String: Any], _ key: String, line: Int, required: Bool = true) throws -> String? {
        guard let value = object[key], !(value is NSNull) else {
            if required {
                throw ImportError(file: path, line: line, "has no \"\(key)\" field",
                                  fix: "add \"\(key)\" (a string); fields present: \(object.keys.sorted().joined(separator: ", "))")
            }
            return nil
        }
        if let string = value as? String { return string }
        // An id may be a whole number (FastChat's question_id is); never a boolean or a fraction.
        if key.hasSuffix("id"), let number = value as? NSNumber, !Self.isBoolean(number),
           let whole = Int(exactly: number.doubleValue) {
            return String(whole)
        }
        throw ImportError(file: path, line: line, "field \"\(key)\" is not a string\(Self.isBoolean(value) ? " (it is \(value as? Bool == true ? "true" : "false"))" : "")",
                          fix: "write \"\(key)\" as a JSON string" + (key.hasSuffix("id") ? " or a whole number" : ""))
    }

    func strings(_ object: [String: Any], _ key: String, line: Int) throws -> [String] {
        guard let value = object[key] else {
            throw ImportError(file: path, line: line, "has no \"\(key)\" field",
                              fix: "add \"\(key)\" (a list of strings); fields present: \(object.keys.sorted().joined(separator: ", "))")
        }
        guard let list = value as? [Any], let strings = list as? [String] else {
            throw ImportError(file: path, line: line, "field \"\(key)\" is not a list of strings",
                              fix: "write \"\(key)\" as [\"...\", ...]")
        }
        return strings
    }

    /// Conversation turns: a list of strings, or of objects whose `content` is the turn's text
    /// (Arena-Hard-Auto writes `[{"content": "...", "token_len": 12}]`).
    func turnTexts(_ object: [String: Any], _ key: String, line: Int) throws -> [String] {
        if let list = object[key] as? [Any], !list.isEmpty, list.allSatisfy({ $0 is [String: Any] }) {
            return try list.enumerated().map { position, element in
                guard let content = (element as! [String: Any])["content"] as? String else {
                    throw ImportError(file: path, line: line, "turn \(position + 1) of \"\(key)\" has no string \"content\"",
                                      fix: "write each turn as a string, or as {\"content\": \"...\"}")
                }
                return content
            }
        }
        return try strings(object, key, line: line)
    }

    func integer(_ object: [String: Any], _ key: String, line: Int) throws -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !Self.isBoolean(number), let int = Int(exactly: number.doubleValue) else {
            throw ImportError(file: path, line: line, "field \"\(key)\" is not an integer",
                              fix: "write \"\(key)\" as a whole number")
        }
        return int
    }

    func double(_ object: [String: Any], _ key: String, line: Int) throws -> Double? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber else {
            throw ImportError(file: path, line: line, "field \"\(key)\" is not a number",
                              fix: "write \"\(key)\" as a number")
        }
        return number.doubleValue
    }

    // MARK: helpers

    /// Whether a value `JSONSerialization` gave is a JSON `true` or `false` (which bridges to NSNumber).
    static func isBoolean(_ value: Any) -> Bool {
        if type(of: value) == Bool.self { return true }
        guard let number = value as? NSNumber else { return false }
        #if canImport(Darwin)
        return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
        // JSON numbers come back as Int ("q") or Double ("d"); only booleans are "c" or "B".
        let type = String(cString: number.objCType)
        return type == "B" || type == "c"
        #endif
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let detail = nsError.userInfo["NSDebugDescription"] as? String { return detail }
        return nsError.localizedDescription
    }

    /// Foundation reports JSON errors by character offset; turn that into a line number.
    /// Foundation reports JSON errors by character offset (in `userInfo`, or only in the message
    /// as "around character N"); turn that into a line number.
    static func errorLine(_ error: Error, in text: String) -> Int? {
        let nsError = error as NSError
        var offset = nsError.userInfo["NSJSONSerializationErrorIndex"] as? Int
        if offset == nil, let range = reason(error).range(of: #"character \d+"#, options: .regularExpression) {
            offset = Int(reason(error)[range].dropFirst("character ".count))
        }
        if let line = lineNumber(in: reason(error)), offset == nil { return line }
        guard let offset else { return nil }
        return text.utf8.prefix(offset).filter { $0 == UInt8(ascii: "\n") }.count + 1
    }

    /// "line N" in a parser's message, when it gives one itself.
    private static func lineNumber(in message: String) -> Int? {
        guard let range = message.range(of: #"line \d+"#, options: .regularExpression) else { return nil }
        return Int(message[range].dropFirst("line ".count))
    }

    static func firstInvalidUTF8Line(_ data: Data) -> Int {
        var number = 1
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if String(data: Data(line), encoding: .utf8) == nil { return number }
            number += 1
        }
        return number
    }
}
