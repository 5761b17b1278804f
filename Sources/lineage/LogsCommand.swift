import ArgumentParser

/// `lineage logs`: provider API logs, simulated, checked and summarised per account.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Work with API request logs: simulate them, check them, summarise accounts, merge shard summaries.",
        discussion: """
            A provider's request logs (JSONL or CSV, one request per line) become per-account summaries; \
            `lineage campaigns` then finds groups of accounts that act as one harvesting operator.

            Example (one machine):
              lineage logs simulate --requests 200000 \\
                  --output logs.jsonl --labels labels.jsonl
              lineage logs summarise logs.jsonl --output summary.jsonl
              lineage campaigns --summaries summary.jsonl --report campaigns-report
            """,
        subcommands: [LogsSimulateCommand.self, LogsImportCommand.self, LogsSummariseCommand.self, LogsMergeCommand.self])
}
