import ArgumentParser
import Foundation
import Lineage

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the models in the store, and record what is known about them.",
        discussion: """
            Examples:
              lineage models
              lineage models annotate gpt-4 --maker OpenAI --trained-on original
              lineage models annotate --labels lineage.json
            """,
        subcommands: [ModelsListCommand.self, ModelsAnnotateCommand.self],
        defaultSubcommand: ModelsListCommand.self)
}

struct ModelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the models in the store with their probe and response counts and annotations (the default).",
        discussion: """
            Examples:
              lineage models
              lineage models --format csv > models.csv
              LINEAGE_STORE=other.sqlite lineage models --json | jq '.models[].name'
            """)

    @OptionGroup var output: OutputOptions

    @OptionGroup var storeOptions: StoreOptions


    func run() throws {
        let store = try storeOptions.openExisting()
        let models = try store.modelSummaries()
        let annotations = try store.annotations()
        let columns = ["model", "backend", "probes", "responses", "failures", "annotation"]
        func row(_ model: ModelSummary) -> [String] {
            [model.name, model.backend, String(model.probes), String(model.responses), String(model.failures), annotations[model.name]?.summary ?? ""]
        }
        switch output.resolved {
        case .json:
            print(try LineageJSON.string(ModelListing(store: store.path, models: models, annotations: annotations.keys.sorted().map { annotations[$0]! })))
            return
        case .csv:
            print(columns.joined(separator: ","))
            for model in models {
                let cells = row(model)
                print(([Escape.csvField(cells[0]), Escape.csvField(cells[1])] + cells[2...4] + [Escape.csvField(cells[5])]).joined(separator: ","))
            }
            return
        case .md:
            print(MarkdownReport.table(columns, models.map(row)))
            return
        case .text:
            break
        }
        if models.isEmpty {
            print("The store \(store.path) holds no models yet. Add some with `lineage import FILE` or `lineage run`.")
            return
        }
        let width = max(5, models.map(\.name.count).max() ?? 0)
        print("model".padding(toLength: width, withPad: " ", startingAt: 0) + "  backend   probes  responses  failures  annotation")
        for model in models {
            print(model.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                  + model.backend.padding(toLength: 8, withPad: " ", startingAt: 0)
                  + String(format: "  %6d  %9d  %8d  ", model.probes, model.responses, model.failures)
                  + (annotations[model.name].map { $0.summary } ?? "–"))
        }
        print("\(models.count) models, \(models.reduce(0) { $0 + $1.responses }) responses in \(store.path); "
              + "\(models.filter { annotations[$0.name] != nil }.count) annotated")
    }
}

struct ModelsAnnotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Record who made a model and what its public card says it was trained on.",
        discussion: """
        Attribution builds its panel from these annotations: every model of the
        reference's maker becomes a reference, another maker's model the
        alternative reference, and models known not to be trained on the
        reference maker's outputs the controls. Reports print each model's
        annotation, because whoever relies on a verdict must justify each control.

        --trained-on is one of:
          original     the maker's own model (gpt-4 for OpenAI)
          human        mainly human-written instruction data
          base         no instruction tuning
          self         preference-tuned on its own answers only
          distilled    mainly outputs of --teacher's models
          derived      made from --teacher's released weights
          mixed        some distilled data among human data (never a control)
          undisclosed  the card does not say (never a control)

        Examples:
          lineage models annotate dolly-v2-12b --maker Databricks --trained-on human \\
              --source https://huggingface.co/databricks/dolly-v2-12b
          lineage models annotate vicuna-13b --trained-on distilled --teacher OpenAI
          lineage models annotate --labels lineage.json  (lineage-dev or JSON Lines)
        """)

    @Argument(help: "The model to annotate (leave out with --labels).")
    var model: String?

    @Option(help: "Who made or released the model, e.g. OpenAI, Meta, Databricks.")
    var maker: String?

    @Option(help: ArgumentHelp("What its instruction data were: original, human, base, self, distilled, derived, mixed, undisclosed.", valueName: "kind"))
    var trainedOn: String?

    @Option(help: "For distilled and derived models: the maker whose outputs or weights it comes from.")
    var teacher: String?

    @Option(help: "Where the statement comes from: a URL or a citation.")
    var source: String?

    @Option(help: "A free note.")
    var note: String?

    @Option(help: ArgumentHelp("Read annotations from a file: JSON Lines of {model, maker, trained_on, teacher, source}, or a lineage-dev lineage.json.", valueName: "file"))
    var labels: String?

    @Flag(help: "With --labels, also record models the store does not hold yet.")
    var includeAbsent = false

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let annotations: [ModelAnnotation]
        if let labels {
            guard model == nil else {
                printError("give either a model with its options or --labels FILE, not both")
                throw ExitCode(ExitCodes.badInput)
            }
            do {
                annotations = try ModelLabels.read(path: labels)
            } catch let error as ImportError {
                printError(error.description)
                throw ExitCode(ExitCodes.badInput)
            }
        } else {
            guard let model else {
                printError("name the model to annotate, or pass --labels FILE\n  fix: lineage models annotate MODEL --trained-on human --source URL")
                throw ExitCode(ExitCodes.badInput)
            }
            let kinds = ModelAnnotation.TrainingData.allCases.map(\.rawValue).joined(separator: ", ")
            guard let raw = trainedOn, let kind = ModelAnnotation.TrainingData(rawValue: raw) else {
                printError("--trained-on must be one of \(kinds)" + (trainedOn.map { ", got '\($0)'" } ?? ""))
                throw ExitCode(ExitCodes.badInput)
            }
            if (kind == .distilled || kind == .derived) && teacher == nil {
                printError("a \(raw) model needs --teacher MAKER (whose outputs or weights it comes from)")
                throw ExitCode(ExitCodes.badInput)
            }
            if kind == .original && maker == nil {
                printError("an original model needs --maker MAKER")
                throw ExitCode(ExitCodes.badInput)
            }
            annotations = [ModelAnnotation(model: model, maker: maker, trainedOn: kind, teacher: teacher, source: source, note: note)]
        }
        let store = try storeOptions.open()
        let known = Set(try store.modelNames())
        if labels == nil, let model, !known.contains(model) {
            printError("the store \(store.path) has no model '\(model)'\n  fix: `lineage models --store \(store.path)` lists the models it holds")
            throw ExitCode(ExitCodes.badInput)
        }
        let kept = includeAbsent ? annotations : annotations.filter { known.contains($0.model) }
        try store.annotate(kept)
        let skipped = annotations.count - kept.count
        FileHandle.standardError.write(Data(("annotated \(kept.count) model\(kept.count == 1 ? "" : "s") in \(store.path)"
                   + (skipped > 0 ? "; \(skipped) not in the store were left out (--include-absent records them)" : "") + "\n").utf8))
    }
}
