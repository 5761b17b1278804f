import ArgumentParser
import Foundation
import Lineage

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Bring transcripts collected elsewhere into the store.",
        discussion: """
            The format is recognised from each file's content:
              lineage-jsonl    Lineage's own JSON Lines (see README), e.g. from `lineage export`
              fastchat         FastChat answer files {question_id, model_id, choices:[{turns}]}
                               with question.jsonl in the parent folder (MT-bench, arena-bench)
              fastchat-legacy  older FastChat answers {question_id, model_id, text} (vicuna-bench)
              alpaca-eval      AlpacaEval model_outputs.json, a list of {instruction, output, generator}

            FastChat answers are stored under the answer file's name (answer_ prefix dropped), as
            FastChat's own tools name them; the other formats use the model named in each record.
            The same prompt text from different files is the same probe. Importing a file again adds
            nothing. All files are checked before anything is written, and the import is one
            transaction: if any file is bad, nothing is stored.

            Examples:
              lineage import answers/*.jsonl
              lineage import --model vicuna-13b-v1.3 \\
                  mt_bench/model_answer/vicuna-13b-v1.3.jsonl
              lineage import --questions my/question.jsonl my/answers/model.jsonl
            """)

    @Argument(help: ArgumentHelp("Transcript files to import.", valueName: "file"))
    var files: [String]

    // `--format` is the output's, as on every command; the input's is `--input-format`.
    @Option(help: ArgumentHelp("Read every file in this format instead of detecting it.", valueName: "format"))
    var inputFormat: TranscriptFormat?

    @Option(help: ArgumentHelp("Store every response under this model name, whatever the files say.", valueName: "name"))
    var model: String?

    @Option(help: ArgumentHelp("FastChat question file (default: question.jsonl beside the answer folder).", valueName: "path"))
    var questions: String?

    @OptionGroup var output: OutputOptions

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to import") }
    }

    func run() throws {
        let store = try storeOptions.open()
        let importer = TranscriptImporter(reader: TranscriptReader(modelOverride: model, questionsPath: questions),
                                          format: inputFormat)
        let summary: ImportSummary
        do {
            summary = try importer.importFiles(files, into: store, command: invocation, cachingFeatures: true)
        } catch let error as ImportError {
            printError("import failed, nothing was stored.\n\(error)")
            throw ExitCode(ExitCodes.badInput)
        } catch let error as StoreBusyError {
            printError(error.description)
            throw ExitCode(ExitCodes.failure)
        }
        if summary.added > 0 { store.cacheNewAnswers(progress: output.progress()) }
        switch output.resolved {
        case .json:
            print(try jsonString(summary))
            return
        case .csv:
            print("file,format,responses")
            for file in summary.files { print("\(Escape.csvField(file.path)),\(file.format.rawValue),\(file.responses)") }
            return
        case .md:
            print(MarkdownReport.table(["file", "format", "responses"], summary.files.map { [$0.path, $0.format.rawValue, String($0.responses)] }))
            return
        case .text:
            break
        }
        for file in summary.files {
            print("\(file.path): \(file.responses) responses (\(file.format.rawValue))")
        }
        for warning in summary.warnings { print("warning: \(warning)") }
        print("added \(summary.added) responses, \(summary.alreadyStored) already stored; models: \(summary.models.joined(separator: ", "))")
        print("store: \(store.path)")
    }
}

extension TranscriptFormat: ExpressibleByArgument {}
