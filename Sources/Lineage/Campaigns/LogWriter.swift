import Foundation

/// Writes log records as JSON Lines or CSV through a buffer, so that a log of millions of
/// requests streams to disk without being held in memory. Writes to `path + ".partial"` and
/// renames on `finish()`, so an interrupted run never leaves a half-written log under the name.
public final class LogWriter {
    public enum Format: String, Codable, Sendable, CaseIterable {
        case jsonl, csv
    }

    public let path: String
    public let format: Format
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var finished = false

    public init(path: String, format: Format) throws {
        self.path = path
        self.format = format
        let partial = path + ".partial"
        let url = URL(fileURLWithPath: partial)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: partial, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: partial) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: partial])
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
        if format == .csv { write(line: LogColumns.all.joined(separator: ",")) }
    }

    public func write(_ record: LogRecord) {
        write(line: format == .jsonl ? Self.jsonLine(record) : Self.csvLine(record))
    }

    /// Writes one line of text (a newline is added).
    public func write(line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and moves the file to its name.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        flush()
        try handle.close()
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: path + ".partial", toPath: path)
    }

    /// Drops the partial file (after an error).
    public func abandon() {
        guard !finished else { return }
        finished = true
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path + ".partial")
    }

    /// One record as a JSON object on one line, keys in a fixed order, absent fields left out.
    public static func jsonLine(_ r: LogRecord) -> String {
        var out = "{\"account\":" + jsonString(r.account) + ",\"time\":\"" + LogTime.iso(r.time) + "\""
        if let prompt = r.prompt { out += ",\"prompt\":" + jsonString(prompt) }
        if let hash = r.promptHash { out += ",\"prompt_hash\":" + jsonString(hash) }
        if let system = r.system { out += ",\"system\":" + jsonString(system) }
        out += ",\"input_tokens\":\(r.inputTokens),\"output_tokens\":\(r.outputTokens)"
        if let max = r.maxTokens { out += ",\"max_tokens\":\(max)" }
        out += ",\"model\":" + jsonString(r.model)
        if let network = r.network { out += ",\"network\":" + jsonString(network) }
        if let payment = r.payment { out += ",\"payment\":" + jsonString(payment) }
        return out + "}"
    }

    /// One record as a CSV row in `LogColumns.all` order (RFC 4180 quoting).
    public static func csvLine(_ r: LogRecord) -> String {
        let fields: [String] = [r.account, LogTime.iso(r.time), r.prompt ?? "", r.promptHash ?? "", r.system ?? "",
                                "\(r.inputTokens)", "\(r.outputTokens)", r.maxTokens.map { "\($0)" } ?? "", r.model,
                                r.network ?? "", r.payment ?? ""]
        return fields.map(csvField).joined(separator: ",")
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonString(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var out: [UInt8] = [34]
            out.reserveCapacity(bytes.count + 16)
            for index in 0..<bytes.count {
                let byte = bytes[index]
                switch byte {
                case 34: out.append(92); out.append(34)
                case 92: out.append(92); out.append(92)
                case 10: out.append(92); out.append(110)
                case 13: out.append(92); out.append(114)
                case 9: out.append(92); out.append(116)
                case 0..<32:
                    let hex = Array("0123456789abcdef".utf8)
                    out += [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                default: out.append(byte)
                }
            }
            out.append(34)
            return String(decoding: out, as: UTF8.self)
        }
    }
}
