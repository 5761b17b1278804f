import ArgumentParser
import Foundation
import Lineage

struct ServedTestCommand: ParsableCommand {
    /// The method, verdicts and exit codes: `lineage explain served-test` prints it; `--help` shows its examples.
    static let theory = """
            For each served prompt the suspect answered: the served answer y, fresh
            answers y'1..y'k drawn later from the same snapshot with the same
            sampling parameters, and the suspect's answers. If the suspect did not
            learn from y (it may have learnt from other samples of the same model),
            y and the y'j are exchangeable, and the rank of sim(suspect, y) among
            sim(suspect, y'j) is uniform. The ranks are combined over prompts by a
            permutation of which answer was served: exact by convolution when every
            prompt has one served answer and the same k, else Monte Carlo with
            p = (1 + #null >= observed) / (1 + B). Valid whatever the similarity
            (here: cosine of character 4-gram counts); no control models needed.

            It assumes, and refuses input that breaks where the store can tell:
              same snapshot (the served log's model_snapshot; the fresh model's
                provider model id, or --fresh-snapshot for imported samples)
              same sampling parameters, temperature > 0
              fresh answers new draws: not the served records, not their seeds,
                not word for word the served answer (--allow-identical-answers
                for genuinely short answers)
              no seed shared by two prompts' served answers, nor by two
                prompts' fresh answers: one seed is one random stream, and
                the prompts' ranks would not be independent (a client that
                fixes its seed on every request defeats this test)
              fresh answers drawn independently of the suspect
            Every prompt the suspect answered needs at least one fresh answer.

            Verdicts and exit codes (as `lineage attribute`):
              10  evidence      p <= --alpha
              0   no-evidence   not rejected, and the 95% upper bound of the mean
                                rank excess is below --effect-that-matters
              11  inconclusive  not rejected, effect not ruled out
              2   bad input     unknown model, broken exchangeability, ...

            Examples (after `lineage served import` and `lineage run`):
              lineage served-test --served served:acme-chat-2026-02-15 \\
                  --fresh acme-fresh --suspect rival --report reports/rival
              lineage served-test --served-log logs/march.jsonl --fresh acme-fresh \\
                  --suspect rival --json > result.json; echo $?
            """

    static let configuration = CommandConfiguration(
        commandName: "served-test",
        abstract: "Test whether a suspect learnt from the very answers a provider served.",
        usage: "lineage served-test (--served MODEL | --served-log FILE) --fresh MODEL --suspect MODEL [options]",
        discussion: Help.discussion(theory, command: "served-test", lead: """
            Tests whether the suspect learnt from the very answers a provider served, by ranking the served answer's similarity to the suspect's among fresh answers of the same snapshot. No control models needed.
            
            Exit codes: 10 evidence, 0 no-evidence, 11 inconclusive, 2 bad input, 1 failure (with --exit-zero, 0 whatever the verdict).
            """))

    @Option(help: ArgumentHelp("The served log's model in the store (served:SNAPSHOT after `lineage served import`).", valueName: "model"))
    var served: String?

    @Option(help: ArgumentHelp("A served-log file: imported first (nothing is added twice), then tested. Its records must be of one snapshot.", valueName: "file"))
    var servedLog: String?

    @Option(help: ArgumentHelp("The model holding fresh samples of the same prompts from the same snapshot (collected with `lineage run`).", valueName: "model"))
    var fresh: String

    @Option(help: ArgumentHelp("The model suspected of training on the served answers.", valueName: "model"))
    var suspect: String

    @Option(help: ArgumentHelp("The snapshot the fresh samples came from, when the store does not record it (imported samples).", valueName: "snapshot"))
    var freshSnapshot: String?

    @Option(help: "Significance level.")
    var alpha: Double = 0.05

    @Option(help: "Seed of every random draw (recorded in the result).")
    var seed: UInt64 = 20_240_601

    @Option(help: "Monte Carlo permutation replicates (also the null distribution the report draws).")
    var replicates: Int = 9_999

    @Option(help: "Bootstrap replicates for the effect's interval.")
    var bootstrap: Int = 2_000

    @Option(help: ArgumentHelp("How the p-value is computed: auto (exact where possible), exact, monte-carlo.", valueName: "method"))
    var method: ServedSampleOptions.Method = .auto

    @Option(help: "Character n-gram length of the similarity.")
    var ngram: Int = 4

    @Option(help: ArgumentHelp("The mean rank excess that matters (no-evidence needs its upper bound below this).",
                               discussion: "The excess is a mean over every served prompt, so a student that learnt from a tenth of them shows "
                                + "a tenth of its effect; the default is a tenth of what the zoo's full-dose student showed (0.06), and "
                                + "ruling it out takes thousands of prompts (results/zoo-served.md)."))
    var effectThatMatters: Double = 0.005

    @Flag(help: "Accept fresh answers that are word for word a served answer (short answers can coincide).")
    var allowIdenticalAnswers = false

    @Option(name: .customLong("probe"), help: ArgumentHelp("Test only this served prompt (repeatable; ids as `lineage served import --probes-out` writes them). Default: every served prompt the suspect answered.", valueName: "id"))
    var probes: [String] = []

    @OptionGroup var output: OutputOptions
    @OptionGroup var verdictOptions: VerdictOptions

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reportOptions: ReportOptions

    func validate() throws {
        if (served == nil) == (servedLog == nil) { throw ValidationError("name the served answers with --served MODEL or --served-log FILE (one of them)") }
        if !(alpha > 0 && alpha < 1) { throw ValidationError("--alpha must lie between 0 and 1") }
        if replicates < 1 || bootstrap < 1 { throw ValidationError("--replicates and --bootstrap must be at least 1") }
        if ngram < 1 { throw ValidationError("--ngram must be at least 1") }
    }

    func run() throws {
        let store = try storeOptions.open()
        var servedModel = served ?? ""
        if let servedLog {
            do {
                let summary = try ServedLogImporter().importFiles([servedLog], into: store, command: invocation)
                guard summary.models.count == 1 else {
                    printError("\(servedLog) holds \(summary.models.count) snapshots (\(summary.models.keys.sorted().joined(separator: ", ")))\n  fix: test one at a time: --served \(summary.models.values.sorted().first ?? "served:SNAPSHOT")")
                    throw ExitCode(ExitCodes.badInput)
                }
                servedModel = summary.models.values.first!
            } catch let error as ImportError {
                printError("served import failed, nothing was stored.\n\(error)")
                throw ExitCode(ExitCodes.badInput)
            }
        }
        var options = ServedSampleStudyOptions(served: servedModel, fresh: fresh, suspect: suspect)
        options.freshSnapshot = freshSnapshot
        if !probes.isEmpty { options.probes = Set(probes) }
        options.test.alpha = alpha
        options.test.seed = seed
        options.test.replicates = replicates
        options.test.bootstrap = bootstrap
        options.test.method = method
        options.test.similarity = CharacterNGramCosine(n: ngram)
        options.test.allowIdenticalAnswers = allowIdenticalAnswers
        options.test.effectThatMatters = effectThatMatters
        var result: ServedSampleResult
        let responses: [StoredResponse]
        do {
            let outcome = try ServedSampleStudy.run(options: options, store: store, command: invocation)
            result = outcome.0
            responses = outcome.1
        } catch let error as ServedSampleError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        if reportOptions.directory != nil,
           case .servedSample(let written) = try reportOptions.write(.servedSample(result), responses: responses, store: store) {
            result = written
        }
        try verdictOptions.finish([.servedSample(result)], format: output.resolved, suite: "lineage served-test",
                                  text: { Self.text(result) }, json: { try LineageJSON.string(result) })
    }

    static func text(_ r: ServedSampleResult) -> String {
        var lines = ["served-sample test: \(r.suspect) against the answers \(r.snapshot) served (\(r.served)), fresh samples \(r.fresh)",
                     "verdict: \(r.verdict.rawValue) — \(r.verdictExplanation)",
                     "p = \(r.pValue) (\(r.pValueMethod)); statistic \(String(format: "%.4f", r.test.statistic)) (1/2 under the null)"]
        if let effect = r.test.effect {
            lines.append("mean rank excess \(String(format: "%.4f", effect.estimate)) [\(String(format: "%.4f", effect.ciLow)), \(String(format: "%.4f", effect.ciHigh))]")
        }
        lines.append("prompts \(r.probes); served answer closest on \(r.servedMostSimilar); responses: " + r.samples.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        lines += r.warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}

extension ServedSampleOptions.Method: ExpressibleByArgument {}
