import ArgumentParser
import Foundation
import Lineage

struct LogsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Check request logs and say what they hold; optionally write their account summaries.",
        discussion: """
            Reads each log as a stream (JSONL, or CSV with a header row; recognised from the content), \
            checks every line and prints what it found: requests, accounts, the time range, which \
            optional fields (system prompt, max_tokens, network and payment fingerprints) are present. \
            Fields: account, time (ISO 8601 or seconds since 1970), prompt or prompt_hash, system, \
            input_tokens, output_tokens, max_tokens, model, network, payment; common other names \
            (api_key, user_id, timestamp, prompt_tokens, completion_tokens, messages, usage) are accepted.

            A bad line stops the import with its file:line and a fix, and nothing is written; \
            --max-bad-lines N skips (and lists) up to N of them per file instead. \
            With --output it writes the per-account summary, as `lineage logs summarise` does.

            Examples:
              lineage logs import logs.jsonl
              lineage logs import --max-bad-lines 100 --output summary.jsonl logs-*.csv
            """)

    @Argument(help: ArgumentHelp("Log files.", valueName: "log"))
    var files: [String]

    @OptionGroup var readOptions: LogsReadOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Also write the account summaries here.", valueName: "path"))
    var output: String?

    @OptionGroup var printed: SummaryOutputOptions
    var json: Bool { printed.resolved == .json }

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one log file") }
    }

    /// What --json prints (schema lineage.log-import/v1).
    struct Overview: Codable {
        var schema = "lineage.log-import/v1"
        var files: [LogReader.Report]
        var requests: Int
        var accounts: Int
        var first: String?
        var last: String?
        var withSystem: Int
        var withMaxTokens: Int
        var withNetwork: Int
        var withPayment: Int
        var output: String?

        enum CodingKeys: String, CodingKey {
            case schema, files, requests, accounts, first, last, output
            case withSystem = "with_system", withMaxTokens = "with_max_tokens", withNetwork = "accounts_with_network"
            case withPayment = "accounts_with_payment"
        }
    }

    func run() throws {
        let (summary, reports) = try readOptions.summarise(files)
        LogsReadOptions.printWarnings(reports)
        if let output { try summary.write(to: output) }
        let accounts = summary.accounts.values
        let first = accounts.map(\.firstMillis).min(), last = accounts.map(\.lastMillis).max()
        let overview = Overview(
            files: reports, requests: summary.records, accounts: accounts.count,
            first: first.map { LogTime.iso(Double($0) / 1000) }, last: last.map { LogTime.iso(Double($0) / 1000) },
            withSystem: accounts.reduce(0) { $0 + $1.withSystem }, withMaxTokens: accounts.reduce(0) { $0 + $1.withMaxTokens },
            withNetwork: accounts.filter { !$0.networks.entries.isEmpty }.count,
            withPayment: accounts.filter { !$0.payments.entries.isEmpty }.count, output: output)
        if json {
            print(try jsonString(overview))
            return
        }
        for report in reports { print("\(report.file): \(report.records) requests (\(report.format.rawValue))\(report.badLines > 0 ? ", \(report.badLines) bad lines skipped" : "")") }
        print("\(overview.requests) requests from \(overview.accounts) accounts, \(overview.first ?? "–") to \(overview.last ?? "–")")
        print("with a system prompt: \(overview.withSystem); with max_tokens: \(overview.withMaxTokens); accounts with network fingerprints: \(overview.withNetwork), with payment fingerprints: \(overview.withPayment)")
        if let output { print("account summaries: \(output)") }
    }
}
