import ArgumentParser
import Foundation
import Lineage

struct TreeCommand: ParsableCommand {
    /// The method, verdicts and exit codes: `lineage explain tree` prints it; `--help` shows its examples.
    static let theory = """
            Computes a distance between every pair of models from their stored answers, builds a tree \
            by neighbour joining (default; midpoint-rooted for drawing) or UPGMA, and puts bootstrap \
            support on each inner branch: the share of trees, rebuilt on probes drawn with replacement, \
            that have the same split. Models close together answer alike; that is not proof of descent \
            (use `lineage attribute` with controls to test a lineage).

            Distance (--distance):
              fingerprint  (default) the fingerprint that `lineage similarity` and
                           `lineage attribute` compare: word and character TF-IDF,
                           openings, format and style, stock phrases and self-
                           identity claims, after cleaning; so the tree shows the
                           similarity that attribution tests. A model's answers to
                           a probe make one fingerprint row, centred on the mean
                           row of the models that answered that probe; a model's
                           profile is the sum of its centred rows, and the distance
                           of two models is 1 minus the cosine of their profiles
                           (0: alike; 1: no shared leaning; at most 2). Centring
                           removes what the prompt dictates, so models answering
                           different probe sets compare by how they answer, not
                           what they were asked.
              words        the same construction on word-unigram TF-IDF alone
                           (hashed to 2048 columns, no cleaning): the tree's first
                           distance, faster, kept for comparison (also accepted as
                           word-profile).
              A model that shares no probe with another sits at distance 1 from
              everyone (a warning says so).

            Output: an indented tree with support (default), --newick, or --json (schema \
            lineage.comparison/v1). --report DIR also writes a report folder (HTML with the tree and \
            the similarity heatmap, Markdown, JSON, manifest).

            Examples:
              lineage tree
              lineage tree --model gpt-4 --model vicuna-13b-v1.3 --model claude-v1
              lineage tree --bootstrap 200 --seed 7 --newick > models.nwk
              lineage tree --report results/tree-report
            """

    static let configuration = CommandConfiguration(
        commandName: "tree",
        abstract: "Build a lineage tree of the models in the store from their pairwise distances.",
        discussion: Help.discussion(theory, command: "tree", lead: """
            Computes a distance between every pair of models from their stored answers, builds a tree by neighbour joining (or UPGMA) and puts bootstrap support on its inner branches. Models close together answer alike; that is not proof of descent (test a lineage with `lineage attribute`).
            """))

    enum Distance: String, ExpressibleByArgument, CaseIterable {
        case fingerprint, words

        init?(argument: String) {
            // "word-profile" was the only distance's name before fingerprints came to the tree.
            self.init(rawValue: argument == "word-profile" ? Self.words.rawValue : argument)
        }
    }

    @Option(name: .customLong("model"), help: ArgumentHelp("Include this model (repeatable; default: every model in the store).", valueName: "name"))
    var namedModels: [String] = []

    @Argument(help: ArgumentHelp("Models to include, as in `lineage similarity` (the same as --model).", valueName: "model"))
    var positionalModels: [String] = []

    /// The models named either way, in order, each once.
    var models: [String] {
        var seen = Set<String>()
        return (namedModels + positionalModels).filter { seen.insert($0).inserted }
    }

    @Option(help: ArgumentHelp("Tree method: nj (neighbour joining) or upgma.", valueName: "method"))
    var method: TreeBuilder.Method = .neighborJoining

    @Option(help: ArgumentHelp("How distances are computed: fingerprint or words (see above).", valueName: "distance"))
    var distance: Distance = .fingerprint

    @Option(help: ArgumentHelp("With --distance fingerprint: feature family weights, as for `lineage attribute`, e.g. words=1,characters=1,openings=0.5,style=0.7,markers=0.5,identity=0.5 (families left out keep their default).", valueName: "family=weight,..."))
    var featureWeights: String?

    @Option(help: ArgumentHelp("Bootstrap replicates over probes (0: no support values).", valueName: "n"))
    var bootstrap: Int = 100

    @Option(help: ArgumentHelp("Seed of the bootstrap draws.", valueName: "n"))
    var seed: UInt64 = 1

    @Flag(help: "Print the tree as Newick only.")
    var newick = false

    @OptionGroup var output: OutputOptions

    @OptionGroup var reportOptions: ReportOptions

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
        if bootstrap < 0 { throw ValidationError("--bootstrap must be 0 or more") }
        if featureWeights != nil && distance != .fingerprint { throw ValidationError("--feature-weights applies to --distance fingerprint only") }
        if newick && output.resolved != .text { throw ValidationError("choose one of --newick and --format \(output.resolved.rawValue)") }
    }

    func run() throws {
        let store = try storeOptions.openExisting()
        do {
            try store.requireModels(models)
        } catch let error as FingerprintError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        let responses = try store.responses(models: models.isEmpty ? nil : models, features: distance == .fingerprint)
        let answered = Set(responses.map(\.model))
        guard answered.count >= 2 else {
            printError("a tree needs at least 2 models with responses; \(store.path) has \(answered.count)\n  fix: import or collect answers of more models, or name them with --model")
            throw ExitCode(ExitCodes.badInput)
        }
        let progress = output.progress()
        progress.stage("fingerprinting \(answered.count) models")
        let source: ModelDistanceSource
        var configuration = ["method": method.rawValue, "distance": distance.rawValue, "bootstrap": String(bootstrap),
                             "models": models.isEmpty ? "all" : models.joined(separator: ",")]
        do {
            switch distance {
            case .fingerprint:
                let weights = try featureWeights.map(FingerprintWeights.init(parsing:)) ?? FingerprintWeights()
                configuration["fingerprint weights"] = weights.description
                var builder = FingerprintBuilder(weights: weights)
                builder.progress = progress.counter
                source = try FingerprintDistance(responses: responses, builder: builder)
            case .words:
                source = WordProfileDistance(responses: responses)
            }
        } catch let error as FingerprintError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        let probeSets = try StoreEvidence(store: store).probeSetUsage(probeHashes: Set(responses.map(\.probeHash)))
        let reproducibility = Reproducibility(command: invocation, seed: seed, store: store.path, configuration: configuration)
        progress.stage("building the tree")
        var result = ModelComparison.compare(source, method: method, replicates: bootstrap, seed: seed,
                                             probeSets: probeSets, reproducibility: reproducibility, progress: progress.counter)
        if case .comparison(let written) = try reportOptions.write(.comparison(result), responses: responses, store: store) {
            result = written
        }
        progress.done()
        switch output.resolved {
        case .json: print(try LineageJSON.string(result))
        case .csv: Swift.print(ResultFormats.csv([.comparison(result)]), terminator: "")
        case .md: print(MarkdownReport.render(.comparison(result), manifest: nil))
        case .text where newick:
            print(result.newick)
        case .text:
            print(TreeText.render(result.tree))
            print("\(result.models.count) models, \(result.probes) probes; \(result.tree.method); distance: \(result.distance)")
            print("support: share of \(bootstrap) bootstrap trees with the same split, in percent")
            for warning in result.warnings { print("warning: \(warning)") }
        }
    }
}

extension TreeBuilder.Method: ExpressibleByArgument {}

/// A tree as indented text for the terminal: support in percent before inner nodes.
enum TreeText {
    static func render(_ tree: LineageTree) -> String {
        var lines: [String] = []
        func walk(_ node: Int, _ prefix: String, _ isLast: Bool, _ isRoot: Bool) {
            let item = tree.nodes[node]
            let branch = isRoot ? "" : (isLast ? "└─ " : "├─ ")
            let label = item.name ?? (item.support.map { "(\(Int(($0 * 100).rounded()))%)" } ?? "┐")
            lines.append(prefix + branch + label + (isRoot ? "" : String(format: "  %.3f", item.branchLength)))
            let childPrefix = isRoot ? "" : prefix + (isLast ? "   " : "│  ")
            for (index, child) in item.children.enumerated() {
                walk(child, childPrefix, index == item.children.count - 1, false)
            }
        }
        walk(tree.root, "", true, true)
        return lines.joined(separator: "\n")
    }
}
