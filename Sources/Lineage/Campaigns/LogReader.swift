import Foundation

/// Reads provider request logs, JSON Lines or CSV (with a header row), one record at a time.
///
/// Field names vary between providers, so each field accepts a few common names (`account`,
/// `account_id`, `api_key`, `user_id`; `time`, `timestamp`, `created_at`; `prompt_tokens` for
/// input tokens; OpenAI-style `messages` and `usage` objects). Bad lines are collected with their
/// file, line, problem and fix; past `maxBadLines` of them the read fails. Callers write nothing
/// until the whole read has succeeded, so a bad log never leaves half a result behind.
public struct LogReader: Sendable {
    public enum Format: String, Codable, Sendable {
        case jsonl, csv

        /// CSV when the path ends in .csv or the first line does not start with `{`.
        static func detect(path: String, firstLine: ArraySlice<UInt8>) -> Format {
            if path.lowercased().hasSuffix(".csv") { return .csv }
            return firstLine.first(where: { $0 != 32 && $0 != 9 }) == UInt8(ascii: "{") ? .jsonl : .csv
        }
    }

    /// Bad lines tolerated (and reported) before the read fails; 0 fails on the first.
    public var maxBadLines: Int
    public var format: Format?

    public init(maxBadLines: Int = 0, format: Format? = nil) {
        self.maxBadLines = maxBadLines
        self.format = format
    }

    /// What a read saw.
    public struct Report: Codable, Sendable, Equatable {
        public var file: String
        public var format: Format
        public var records = 0
        public var badLines = 0
        /// The first bad lines, each with its fix.
        public var problems: [String] = []

        enum CodingKeys: String, CodingKey {
            case file, format, records, problems
            case badLines = "bad_lines"
        }
    }

    static let aliases: [String: [String]] = [
        "account": ["account", "account_id", "api_key", "api_key_id", "api_key_hash", "key_id", "key", "user", "user_id",
                    "user_hash", "account_hash", "customer", "customer_id", "tenant_id", "org_id"],
        "time": ["time", "timestamp", "ts", "created_at", "created", "request_time", "requested_at", "datetime", "date"],
        "prompt": ["prompt", "prompt_text", "input", "input_text", "text", "query", "user_prompt", "user_message", "content"],
        "prompt_hash": ["prompt_hash", "prompt_sha256", "prompt_digest", "hash"],
        "system": ["system", "system_prompt", "instructions"],
        "input_tokens": ["input_tokens", "prompt_tokens", "tokens_in", "n_input_tokens"],
        "output_tokens": ["output_tokens", "completion_tokens", "tokens_out", "n_output_tokens"],
        "max_tokens": ["max_tokens", "max_output_tokens", "max_completion_tokens"],
        "model": ["model", "model_id", "model_name"],
        "network": ["network", "network_fingerprint", "ip", "ip_prefix", "ip_subnet", "ip_address", "ip_hash", "asn", "client_ip",
                    "ja3", "tls_fingerprint", "device_fingerprint"],
        "payment": ["payment", "payment_fingerprint", "payment_id", "payment_hash", "card", "card_fingerprint", "card_hash",
                    "billing_id", "billing_account"],
    ]

    /// Reads `path`, calling `body` with each good record in file order.
    @discardableResult
    public func read(_ path: String, _ body: (LogRecord) throws -> Void) throws -> Report {
        var lines = try LineStream(path: path)
        defer { lines.close() }
        var report: Report?
        var header: [String: Int]?
        var pending: [UInt8] = []
        var pendingStart = 0
        while let line = lines.next() {
            if report == nil {
                if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
                report = Report(file: path, format: format ?? Format.detect(path: path, firstLine: line))
            }
            let number = lines.lineNumber
            do {
                switch report!.format {
                case .jsonl:
                    if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
                    try body(try Self.jsonRecord(line, file: path, line: number))
                    report!.records += 1
                case .csv:
                    // A quoted field may hold line breaks: gather lines until the quotes balance.
                    if pending.isEmpty { pendingStart = number } else { pending.append(10) }
                    pending.append(contentsOf: line)
                    if pending.reduce(0, { $0 + ($1 == 34 ? 1 : 0) }) % 2 == 1 { continue }
                    defer { pending.removeAll(keepingCapacity: true) }
                    let fields = try Self.csvFields(pending[...], file: path, line: pendingStart)
                    if header == nil {
                        header = try Self.csvHeader(fields, file: path, line: pendingStart)
                        continue
                    }
                    if fields.count == 1 && fields[0].isEmpty { continue }
                    try body(try Self.csvRecord(fields, header: header!, file: path, line: pendingStart))
                    report!.records += 1
                }
            } catch let error as ImportError {
                // A CSV file without a usable header has no good lines at all.
                if report!.format == .csv && header == nil { throw error }
                report!.badLines += 1
                if report!.problems.count < 20 { report!.problems.append(error.description) }
                if report!.badLines > maxBadLines { throw LogReadError(report: report!, tolerated: maxBadLines) }
            }
        }
        if !pending.isEmpty {
            let error = ImportError(file: path, line: pendingStart, "a quoted CSV field is never closed",
                                    fix: "close the field with a double quote, and double any quote inside it (\"\")")
            report!.badLines += 1
            report!.problems.append(error.description)
            if report!.badLines > maxBadLines { throw LogReadError(report: report!, tolerated: maxBadLines) }
        }
        // An empty file is an empty shard: no records, nothing wrong.
        return report ?? Report(file: path, format: format ?? .jsonl)
    }

    // MARK: JSON Lines

    static func jsonRecord(_ line: ArraySlice<UInt8>, file: String, line number: Int) throws -> LogRecord {
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw ImportError(file: file, line: number, "is not a JSON object",
                                  fix: "write one request per line as {\"account\": ..., \"time\": ..., \"prompt\": ...}")
            }
            object = parsed
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError(file: file, line: number, "is not valid JSON",
                              fix: "write one JSON object per line; a prompt's line breaks must be escaped as \\n")
        }
        var fields: [String: Any] = object
        if let usage = object["usage"] as? [String: Any] { fields.merge(usage) { current, _ in current } }
        if fields["prompt"] == nil, let messages = object["messages"] as? [[String: Any]] {
            // Content is a string, or a list of parts of which the text parts count.
            func text(_ content: Any?) -> String? {
                if let string = content as? String { return string }
                guard let parts = content as? [[String: Any]] else { return nil }
                let texts = parts.compactMap { $0["text"] as? String }
                return texts.isEmpty ? nil : texts.joined(separator: "\n")
            }
            let user = messages.filter { ($0["role"] as? String) != "system" }.compactMap { text($0["content"]) }
            if !user.isEmpty { fields["prompt"] = user.joined(separator: "\n") }
            if fields["system"] == nil, let system = text(messages.first(where: { ($0["role"] as? String) == "system" })?["content"]) {
                fields["system"] = system
            }
        }
        func value(_ name: String) -> (key: String, value: Any)? {
            for key in aliases[name]! { if let v = fields[key], !(v is NSNull) { return (key, v) } }
            return nil
        }
        func text(_ name: String) throws -> String? {
            guard let (key, v) = value(name) else { return nil }
            if let s = v as? String { return s }
            if let n = v as? NSNumber { return n.stringValue }
            throw ImportError(file: file, line: number, "field \"\(key)\" is not text", fix: "write \"\(key)\" as a string")
        }
        func integer(_ name: String) throws -> Int? {
            guard let (key, v) = value(name) else { return nil }
            if let n = v as? NSNumber, n.doubleValue >= 0, n.doubleValue < 1e12 { return n.intValue }
            if let s = v as? String, let n = Int(s), n >= 0 { return n }
            throw ImportError(file: file, line: number, "field \"\(key)\" is not a whole number of tokens",
                              fix: "write \"\(key)\" as a non-negative integer, e.g. \"\(key)\": 512")
        }
        func time() throws -> Double {
            guard let (key, v) = value("time") else {
                throw ImportError(file: file, line: number, "has no time",
                                  fix: "add \"time\": \"2026-10-01T12:00:00Z\" (ISO 8601) or seconds since 1970")
            }
            if let n = v as? NSNumber { return try seconds(n.doubleValue, key: key) }
            if let s = v as? String {
                if let t = LogTime.parse(s) { return t }
                if let d = Double(s) { return try seconds(d, key: key) }
            }
            throw ImportError(file: file, line: number, "field \"\(key)\" is not a time",
                              fix: "write \"\(key)\" as ISO 8601 UTC, e.g. \"2026-10-01T12:00:00Z\", or as seconds since 1970")
        }
        func seconds(_ raw: Double, key: String) throws -> Double {
            guard raw.isFinite, raw > 0 else {
                throw ImportError(file: file, line: number, "field \"\(key)\" is not a positive time", fix: "write seconds since 1970, e.g. 1790812800")
            }
            return raw > 1e11 ? raw / 1000 : raw
        }
        return try record(account: text("account"), time: time(), prompt: text("prompt"), promptHash: text("prompt_hash"),
                          system: text("system"), input: integer("input_tokens"), output: integer("output_tokens"),
                          maxTokens: integer("max_tokens"), model: text("model"), network: text("network"),
                          payment: text("payment"), file: file, line: number)
    }

    static func record(account: String?, time: Double, prompt: String?, promptHash: String?, system: String?,
                       input: Int?, output: Int?, maxTokens: Int?, model: String?, network: String?, payment: String?,
                       file: String, line: Int) throws -> LogRecord {
        guard let account, !account.isEmpty else {
            throw ImportError(file: file, line: line, "has no account",
                              fix: "add \"account\": the API key or account id that sent the request")
        }
        let prompt = prompt.flatMap { $0.isEmpty ? nil : $0 }, promptHash = promptHash.flatMap { $0.isEmpty ? nil : $0 }
        guard prompt != nil || promptHash != nil else {
            throw ImportError(file: file, line: line, "has neither a prompt nor a prompt_hash",
                              fix: "add \"prompt\" (the text) or \"prompt_hash\" (a hash of it, for logs that keep no text)")
        }
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        return LogRecord(account: account, time: time, prompt: prompt, promptHash: promptHash, system: nonEmpty(system),
                         inputTokens: input ?? 0, outputTokens: output ?? 0, maxTokens: maxTokens,
                         model: nonEmpty(model) ?? "unknown", network: nonEmpty(network), payment: nonEmpty(payment))
    }

    // MARK: CSV

    /// RFC 4180 fields of one record.
    static func csvFields(_ bytes: ArraySlice<UInt8>, file: String, line: Int) throws -> [String] {
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false, wasQuoted = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let c = bytes[index]
            if quoted {
                if c == 34 {
                    if index + 1 < bytes.endIndex, bytes[index + 1] == 34 { field.append(34); index += 1 } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == 44 {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else if c == 34 && field.isEmpty && !wasQuoted {
                quoted = true
                wasQuoted = true
            } else {
                field.append(c)
            }
            index += 1
        }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    static func csvHeader(_ fields: [String], file: String, line: Int) throws -> [String: Int] {
        var header: [String: Int] = [:]
        let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for (field, candidates) in aliases {
            if let index = candidates.lazy.compactMap({ names.firstIndex(of: $0) }).first { header[field] = index }
        }
        for required in ["account", "time"] where header[required] == nil {
            throw ImportError(file: file, line: line, "the CSV header has no \(required) column (it has: \(names.joined(separator: ", ")))",
                              fix: "start the file with a header row naming the columns, e.g. \(LogColumns.all.joined(separator: ","))")
        }
        if header["prompt"] == nil && header["prompt_hash"] == nil {
            throw ImportError(file: file, line: line, "the CSV header has neither a prompt nor a prompt_hash column",
                              fix: "add a prompt column (the text) or a prompt_hash column")
        }
        return header
    }

    static func csvRecord(_ fields: [String], header: [String: Int], file: String, line: Int) throws -> LogRecord {
        func text(_ name: String) -> String? {
            guard let index = header[name], index < fields.count else { return nil }
            return fields[index]
        }
        func integer(_ name: String) throws -> Int? {
            guard let raw = text(name)?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            guard let value = Int(raw), value >= 0 else {
                throw ImportError(file: file, line: line, "column \(name) holds \"\(raw.prefix(40))\", not a whole number of tokens",
                                  fix: "write \(name) as a non-negative integer (or leave it empty)")
            }
            return value
        }
        guard let rawTime = text("time")?.trimmingCharacters(in: .whitespaces), !rawTime.isEmpty else {
            throw ImportError(file: file, line: line, "has no time", fix: "fill the time column (ISO 8601 UTC, or seconds since 1970)")
        }
        guard let time = LogTime.parse(rawTime) ?? Double(rawTime).flatMap({ $0 > 0 ? ($0 > 1e11 ? $0 / 1000 : $0) : nil }) else {
            throw ImportError(file: file, line: line, "time \"\(rawTime.prefix(40))\" is not a time",
                              fix: "write times as ISO 8601 UTC, e.g. 2026-10-01T12:00:00Z, or as seconds since 1970")
        }
        return try record(account: text("account"), time: time, prompt: text("prompt"), promptHash: text("prompt_hash"),
                          system: text("system"), input: integer("input_tokens"), output: integer("output_tokens"),
                          maxTokens: integer("max_tokens"), model: text("model"), network: text("network"),
                          payment: text("payment"), file: file, line: line)
    }
}

/// A log with more bad lines than tolerated: lists the first of them, each with its fix.
public struct LogReadError: Error, CustomStringConvertible, LocalizedError, Sendable {
    public let report: LogReader.Report
    public let tolerated: Int

    public var description: String {
        var text = "\(report.file): \(report.badLines) bad line\(report.badLines == 1 ? "" : "s") (\(tolerated) tolerated); nothing was written\n"
        text += report.problems.joined(separator: "\n")
        if tolerated == 0 { text += "\n  (or pass --max-bad-lines N to skip up to N bad lines, reported)" }
        return text
    }

    public var errorDescription: String? { description }
}
