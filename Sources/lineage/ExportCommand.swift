import ArgumentParser
import Foundation
import Lineage

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the store's responses as Lineage JSONL.",
        discussion: """
            One JSON object per successful response: model, probe_id, messages, response,
            sample_index, params and content_hash. `lineage import` reads it back, and a re-import
            into a fresh store gives the same content hashes.

            Examples:
              lineage export > all.jsonl
              lineage export --model gpt-4 --model vicuna-13b-v1.3 --output two-models.jsonl
            """)

    @Option(name: .customLong("model"), help: ArgumentHelp("Export only this model (repeatable).", valueName: "name"))
    var namedModels: [String] = []

    @Argument(help: ArgumentHelp("Models to export, as in `lineage similarity` (the same as --model).", valueName: "model"))
    var positionalModels: [String] = []

    /// The models named either way, in order, each once.
    var models: [String] {
        var seen = Set<String>()
        return (namedModels + positionalModels).filter { seen.insert($0).inserted }
    }

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "path"))
    var output: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.openExisting()
        do {
            try store.requireModels(models)
        } catch let error as FingerprintError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        let text = try TranscriptExporter().export(from: store, models: models.isEmpty ? nil : models)
        if let output {
            try writeAtomically(text, to: output)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
