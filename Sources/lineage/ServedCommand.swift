import ArgumentParser
import Foundation
import Lineage

/// `lineage served`: the served logs of a provider, brought into the store.
struct ServedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "served",
        abstract: "Import a provider's served logs (for `lineage served-test`).",
        discussion: """
            Examples:
              lineage served import logs/march.jsonl
              lineage help served import
            """,
        subcommands: [ServedImportCommand.self])
}

struct ServedImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import served-log JSON Lines: what a provider answered, to whom, when, with which snapshot.",
        discussion: """
            One JSON object per line (README: Provider forensics):
              {"account": "acct-0042", "time": "2026-03-01T12:00:00Z",
               "prompt": "Explain RAID 5.", "system": "optional",
               "response": "RAID 5 stripes data ...",
               "model_snapshot": "acme-chat-2026-02-15",
               "params": {"temperature": 0.7, "top_p": 1, "max_tokens": 512, "seed": 7},
               "request_id": "optional"}

            Each served answer becomes a response of the model served:SNAPSHOT (or
            --model), with the log line kept as its raw body and its hash recorded;
            importing a log again adds nothing. Every line is checked before anything
            is written; an error names the file, the line and the fix.

            --probes-out writes the served prompts as a probe set, each with the
            parameters it was served with, for `lineage run` to draw fresh samples
            from the same snapshot and to ask the suspect.

            Example:
              lineage served import logs/march.jsonl --probes-out served.yaml
              lineage run served.yaml --config models.yaml --model acme-fresh --samples 5
              lineage run served.yaml --config models.yaml --model suspect
              lineage served-test --served served:acme-chat-2026-02-15 \\
                  --fresh acme-fresh --suspect suspect
            """)

    @Argument(help: ArgumentHelp("Served-log JSON Lines files.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("Store the answers under this model name (default: served:SNAPSHOT).", valueName: "name"))
    var model: String?

    @Option(help: ArgumentHelp("Also write the served prompts as a probe set (YAML) here, for `lineage run`.", valueName: "path"))
    var probesOut: String?

    @OptionGroup var output: SummaryOutputOptions
    var json: Bool { output.resolved == .json }

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one served-log file") }
    }

    func run() throws {
        let store = try storeOptions.open()
        let summary: ServedImportSummary
        do {
            summary = try ServedLogImporter(modelName: model).importFiles(files, into: store, command: invocation)
            if let probesOut {
                let records = try files.flatMap { try ServedLogReader.read($0) }
                try writeAtomically(ServedProbeSet.yaml(ServedProbeSet.make(records)), to: probesOut)
            }
        } catch let error as ImportError {
            printError("served import failed, nothing was stored.\n\(error)")
            throw ExitCode(ExitCodes.badInput)
        }
        if json {
            print(try jsonString(summary))
            return
        }
        print("\(summary.records) served records (\(summary.prompts) prompts, \(summary.accounts) accounts): added \(summary.added), \(summary.alreadyStored) already stored")
        for (snapshot, name) in summary.models.sorted(by: { $0.key < $1.key }) { print("snapshot \(snapshot) → model \(name)") }
        for warning in summary.warnings { print("warning: \(warning)") }
        if let probesOut { print("probe set: \(probesOut)") }
        print("store: \(store.path)")
    }
}
