import ArgumentParser
import Foundation
import Lineage

struct LogsSummariseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarise",
        abstract: "Summarise request logs per account (the shard step): counts, histograms and sketches that merge exactly.",
        discussion: """
            One streaming pass; memory grows with the number of accounts, not of requests. The output \
            is JSON Lines: a header, then one summary per account (volume and timing, prompt MinHash and \
            CountSketch, elicitation counts, token economics, network and payment fingerprints, a few \
            example prompts). Summaries of shards merge with `lineage logs merge` into exactly, byte for \
            byte, what one pass over the whole log writes. Bad lines: as for `lineage logs import`; \
            nothing is written unless every file reads.

            Examples:
              lineage logs summarise logs.jsonl --output summary.jsonl
              split -l 1000000 -d logs.jsonl shard-
              for s in shard-*; do lineage logs summarise "$s" --output "$s.summary"; done
              lineage logs merge shard-*.summary --output summary.jsonl
            """,
        aliases: ["summarize"])

    @Argument(help: ArgumentHelp("Log files (read as one log).", valueName: "log"))
    var files: [String]

    @OptionGroup var readOptions: LogsReadOptions

    @Option(name: [.short, .long], help: ArgumentHelp("The summary file to write ('-' for standard output).", valueName: "path"))
    var output: String

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one log file ('-' is not supported; use /dev/stdin)") }
    }

    func run() throws {
        let (summary, reports) = try readOptions.summarise(files)
        LogsReadOptions.printWarnings(reports)
        if output == "-" {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("lineage-summary-\(UUID().uuidString).jsonl").path
            try summary.write(to: temporary)
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            FileHandle.standardOutput.write(try Data(contentsOf: URL(fileURLWithPath: temporary)))
            return
        }
        try summary.write(to: output)
        printNote("\(summary.records) requests, \(summary.accounts.count) accounts summarised into \(output)")
    }
}
