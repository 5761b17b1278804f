import Foundation

/// The per-account summaries of one part of a log (a shard), or of several merged.
///
/// Written as JSON Lines: a header line (schema, the sketch parameters, the record count), then
/// one line per account in account order, keys sorted. Merging shard summaries gives, byte for
/// byte, the file a single pass over the whole log writes; that is what lets Spark or a
/// Kubernetes job per shard run the shard step (see README, "Past one machine").
public struct ShardSummary: Sendable, Equatable {
    public static let schema = "lineage.log-summary/v1"

    public struct Header: Codable, Sendable, Equatable {
        public var schema = ShardSummary.schema
        public var shingleWords = Shingles.size
        public var minhashBins = MinHash.bins
        public var sketchDimensions = CountSketch.dimensions
        public var records = 0
        public var accounts = 0

        enum CodingKeys: String, CodingKey {
            case schema, records, accounts
            case shingleWords = "shingle_words", minhashBins = "minhash_bins", sketchDimensions = "sketch_dimensions"
        }
    }

    public var records = 0
    public var accounts: [String: AccountSummary] = [:]

    public init() {}

    public mutating func add(_ record: LogRecord) {
        records += 1
        accounts[record.account, default: AccountSummary(account: record.account)].add(record)
    }

    public mutating func merge(_ other: ShardSummary) {
        records += other.records
        for (account, summary) in other.accounts {
            if accounts[account] == nil { accounts[account] = summary } else { accounts[account]!.merge(summary) }
        }
    }

    /// Summarises log files with `reader`; nothing is returned (or written) if any read fails.
    public static func summarise(_ paths: [String], reader: LogReader) throws -> (ShardSummary, [LogReader.Report]) {
        var summary = ShardSummary()
        var reports: [LogReader.Report] = []
        for path in paths { reports.append(try reader.read(path) { summary.add($0) }) }
        return (summary, reports)
    }

    // MARK: File

    public func write(to path: String) throws {
        let writer = try LogWriter(path: path, format: .jsonl)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var header = Header()
            header.records = records
            header.accounts = accounts.count
            writer.write(line: String(decoding: try encoder.encode(header), as: UTF8.self))
            for name in accounts.keys.sorted() {
                writer.write(line: String(decoding: try encoder.encode(accounts[name]!), as: UTF8.self))
            }
            try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Reads a summary file written by `write(to:)`.
    public static func read(_ path: String) throws -> ShardSummary {
        var lines = try LineStream(path: path)
        defer { lines.close() }
        let decoder = JSONDecoder()
        var summary = ShardSummary()
        var header: Header?
        while let line = lines.next() {
            if line.isEmpty { continue }
            if header == nil {
                guard let parsed = try? decoder.decode(Header.self, from: Data(line)), parsed.schema == schema else {
                    throw ImportError(file: path, line: lines.lineNumber, "is not a Lineage log summary (no \(schema) header)",
                                      fix: "pass files written by `lineage logs summarise` or `lineage logs merge`")
                }
                guard parsed.shingleWords == Shingles.size, parsed.minhashBins == MinHash.bins,
                      parsed.sketchDimensions == CountSketch.dimensions else {
                    throw ImportError(file: path, line: lines.lineNumber, "was written with other sketch parameters",
                                      fix: "summarise every shard with the same version of lineage")
                }
                header = parsed
                summary.records = parsed.records
                continue
            }
            let account: AccountSummary
            do {
                account = try decoder.decode(AccountSummary.self, from: Data(line))
            } catch {
                throw ImportError(file: path, line: lines.lineNumber, "is not an account summary (\(error))",
                                  fix: "the file is damaged: summarise its shard again")
            }
            guard summary.accounts[account.account] == nil else {
                throw ImportError(file: path, line: lines.lineNumber, "repeats account \"\(account.account)\"",
                                  fix: "the file is damaged: summarise its shard again")
            }
            summary.accounts[account.account] = account
        }
        guard let header else {
            throw ImportError(file: path, "is empty", fix: "pass files written by `lineage logs summarise` or `lineage logs merge`")
        }
        guard header.accounts == summary.accounts.count else {
            throw ImportError(file: path, "holds \(summary.accounts.count) accounts where its header says \(header.accounts)",
                              fix: "the file is incomplete: summarise its shard again")
        }
        return summary
    }
}
