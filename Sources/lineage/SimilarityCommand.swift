import ArgumentParser
import Foundation
import Lineage

struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity",
        abstract: "Print the similarity matrix of models' fingerprints.",
        discussion: """
        For each pair of models, the mean over probes (those answered by every model
        named) of the cosine similarity of their answers' fingerprints: word and
        character TF-IDF, openings, format and style, stock phrases and self-
        identity claims, after cleaning chat-template leftovers, fake next turns and
        probe echoes. 1 means indistinguishable answers. Word and character weights
        (IDF) and style scales come from the answers of the models named, so a
        pair's value shifts a little with the company it is computed in.

        A high similarity alone proves nothing (almost everything resembles
        ChatGPT): use `lineage attribute` to test a suspect against controls.

        Examples:
          lineage similarity                          every model in the store
          lineage similarity gpt-4 vicuna-13b dolly   these models
          lineage similarity --format csv > sim.csv
          lineage similarity --length-adjusted --format json
        """)

    @Argument(help: ArgumentHelp("Models to compare (default: every model in the store).", valueName: "model"))
    var positionalModels: [String] = []

    @Option(name: .customLong("model"), help: ArgumentHelp("A model to compare (repeatable), as in `lineage tree` and `lineage export`; the same as naming it alone.", valueName: "name"))
    var namedModels: [String] = []

    /// The models named either way, in order, each once.
    var models: [String] {
        var seen = Set<String>()
        return (positionalModels + namedModels).filter { seen.insert($0).inserted }
    }

    @OptionGroup var output: OutputOptions

    @Flag(help: "Remove what answer length explains from the per-probe similarities first.")
    var lengthAdjusted = false

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let matrix: SimilarityMatrix
        let data: ProbeSimilarities
        let store: ResponseStore
        var leftOut: [String] = []
        do {
            store = try storeOptions.openExisting()
            var names = models.isEmpty ? try store.modelNames() : models
            try store.requireModels(names)
            // A model whose every request failed has nothing to compare: it is left out, with a note, not the whole store.
            let responses = try store.responses(models: names, features: true)
            let answered = Set(responses.map(\.model))
            leftOut = names.filter { !answered.contains($0) }
            for name in leftOut {
                warn("\(name) has no successful responses in \(store.path) (only failed requests, or none): left out")
            }
            names = names.filter(answered.contains)
            guard names.count >= 2 else {
                throw FingerprintError(description: "name at least two models with successful responses (the store \(store.path) has \(names.count))")
            }
            let progress = output.progress()
            progress.stage("fingerprinting \(names.count) models")
            var builder = FingerprintBuilder()
            builder.progress = progress.counter
            let raw = try builder.similarities(of: responses, models: names)
            progress.done()
            data = lengthAdjusted ? LengthAdjustment.fit(raw).apply(to: raw) : raw
            matrix = data.meanSimilarity
        } catch let error as FingerprintError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        switch output.resolved {
        case .md:
            print(MarkdownReport.table([""] + matrix.models, zip(matrix.models, matrix.values).map { [$0] + $1.map { String(format: "%.3f", $0) } }))
        case .json:
            print(try LineageJSON.string(SimilarityListing(store: store.path, probes: data.probes.count, lengthAdjusted: lengthAdjusted,
                                                           cleaning: data.cleaning, leftOut: leftOut, similarity: matrix)))
        case .csv:
            print((["model"] + matrix.models).map(csvField).joined(separator: ","))
            for (name, row) in zip(matrix.models, matrix.values) {
                print(([csvField(name)] + row.map { String(format: "%.4f", $0) }).joined(separator: ","))
            }
        case .text:
            let width = max(5, matrix.models.map(\.count).max() ?? 0)
            print("".padding(toLength: width, withPad: " ", startingAt: 0) + matrix.models.indices.map { String(format: " %6d", $0 + 1) }.joined())
            for (i, (name, row)) in zip(matrix.models, matrix.values).enumerated() {
                print(name.padding(toLength: width, withPad: " ", startingAt: 0) + row.map { String(format: " %6.3f", $0) }.joined()
                      + "  (\(i + 1))")
            }
            print("mean cosine similarity over \(data.probes.count) probes answered by all \(matrix.models.count) models"
                  + (lengthAdjusted ? ", length-adjusted" : ""))
        }
    }

    private func csvField(_ s: String) -> String { Escape.csvField(s) }
}
