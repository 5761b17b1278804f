import ArgumentParser
import Foundation
import Lineage

struct EqualityCommand: ParsableCommand {
    /// The method, verdicts and exit codes: `lineage explain equality` prints it; `--help` shows its examples.
    static let theory = """
        The MMD two-sample test of Gao, Liang & Guestrin (2024, "Model Equality
        Testing") on the completions the two models gave to the same prompts, with a
        character string kernel, and a permutation test within prompts. It needs
        several samples per prompt from each model (collect with a temperature above
        0). Naming the same model twice splits its samples in two halves: the test
        should then find no difference.

        Verdicts and exit codes (for CI gates, e.g. "does the API still serve the
        same model?"):
          10  evidence       the two differ (p ≤ --alpha)
          0   no-evidence    no difference found, with at least 10 prompts
                             of repeated samples
          11  inconclusive   no difference found, but fewer such prompts
          2   bad input      unknown model, or fewer than two samples per prompt
          1   failure

        Examples:
          lineage equality gpt-4o-2024-08-06 my-endpoint
          lineage equality my-model my-model              (a self-check)
          lineage equality A B --kernel hamming --max-characters 1000 --json
        """

    static let configuration = CommandConfiguration(
        commandName: "equality",
        abstract: "Test whether two models (or two API endpoints, or two releases) serve the same model.",
        discussion: Help.discussion(theory, command: "equality", lead: """
            The MMD two-sample test on the completions two models gave to the same prompts. It needs two or more samples per prompt from each model (four for the self-check `lineage equality A A`, which splits them in two halves).
            
            Exit codes: 10 evidence (they differ), 0 no-evidence, 11 inconclusive, 2 bad input, 1 failure (with --exit-zero, 0 whatever the verdict).
            """))

    @Argument(help: "The first model.") var modelA: String
    @Argument(help: "The second model.") var modelB: String

    enum Kernel: String, ExpressibleByArgument, CaseIterable { case kspectrum, hamming }

    @Option(help: "String kernel: kspectrum (all substrings up to length k, the reference implementation's default) or hamming.")
    var kernel: Kernel = .kspectrum

    @Option(help: "Substring length of the k-spectrum kernel.")
    var k: Int = 5

    @Option(help: "Cut completions to this many characters before comparing (default: whole).")
    var maxCharacters: Int?

    @Option(help: ArgumentHelp("Permutations for the p-value.",
                               discussion: "A p-value is never below 1/(1 + permutations). When that floor lies above --alpha, the permutations are raised to the next 10^k − 1 that reaches it, and the result says so; above 999,999 the command is refused with the --alpha that would work."))
    var permutations: Int = 999
    @Option(help: "Significance level.") var alpha: Double = 0.05
    @Option(help: "Seed of the permutations (recorded in the result).") var seed: UInt64 = 20_240_601

    @OptionGroup var output: OutputOptions
    @OptionGroup var verdictOptions: VerdictOptions

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reportOptions: ReportOptions

    func run() throws {
        let store = try storeOptions.openExisting()
        let progress = output.progress()
        progress.stage("comparing the completions (\(permutations) permutations)")
        let (analysed, responses) = try analyse(store: store)
        progress.done()
        var result = analysed
        if case .equality(let written) = try reportOptions.write(
            .equality(result), responses: responses.answeringEveryModel(Array(Set([modelA, modelB]))), store: store) {
            result = written
        }
        try verdictOptions.finish([.equality(result)], format: output.resolved, suite: "lineage equality", text: {
            var lines = [result.question,
                         "verdict: \(result.verdict.rawValue.uppercased())  (p = \(AttributionSummary.number(result.pValue)), alpha = \(result.alpha))",
                         "  " + AttributionSummary.floorNote(result.test), "  " + result.verdictExplanation]
            if let effect = result.test.effect {
                lines.append("MMD² \(AttributionSummary.number(effect.estimate)) [\(AttributionSummary.number(effect.ciLow)), \(AttributionSummary.number(effect.ciHigh))] "
                             + "(\(Int((effect.level * 100).rounded()))% CI, \(effect.method))")
            } else {
                lines.append("MMD statistic \(AttributionSummary.number(result.test.statistic))")
            }
            lines.append("sizes: " + result.test.sampleSizes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            let moved = (result.test.perProbe ?? []).sorted { ($0.effect, $1.probeID) > ($1.effect, $0.probeID) }.prefix(5)
            if !moved.isEmpty {
                lines.append("prompts whose answers moved most: " + moved.map { "\($0.probeID) \(AttributionSummary.number($0.effect))" }.joined(separator: ", "))
            }
            lines.append("method: " + result.test.method)
            lines += result.warnings.map { "warning: " + $0 }
            return lines.joined(separator: "\n")
        }, json: { try LineageJSON.string(result) })
    }

    /// The study on `store`, and the responses it read (for the report).
    func analyse(store: ResponseStore) throws -> (EqualityResult, [StoredResponse]) {
        var options = EqualityOptions(modelA: modelA, modelB: modelB)
        options.kernel = kernel == .hamming ? .hamming : .kSpectrum(k: k, cumulative: true)
        options.maxCharacters = maxCharacters
        options.permutations = permutations
        options.alpha = alpha
        options.seed = seed
        do {
            guard k >= 1, permutations >= 99, alpha > 0, alpha < 0.5 else {
                throw FingerprintError(description: "need --k ≥ 1, --permutations ≥ 99 and 0 < --alpha < 0.5")
            }
            try store.requireModels([modelA, modelB])
            let responses = try store.responses(models: Array(Set([modelA, modelB])))
            let catalog = try store.probeCatalog(probeIDs: Array(Set(responses.map(\.probeID))))
            return (try EqualityStudy.run(options: options, responses: responses, catalog: catalog, command: invocation, store: store.path),
                    responses)
        } catch let error as FingerprintError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
    }
}
