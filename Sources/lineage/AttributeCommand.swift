import ArgumentParser
import Foundation
import Lineage

struct AttributeCommand: ParsableCommand {
    /// The method, verdicts and exit codes: `lineage explain attribute` prints it; `--help` shows its examples.
    static let theory = """
        On a store whose models are annotated (`lineage models annotate`), roles
        you leave out are chosen and explained: every model of the reference's
        maker as a reference, the other maker's model closest to the suspect in
        kind as the alternative, and as controls the models known not to be
        trained on that maker's outputs that are nearest to the suspect in kind
        (answer length, formatting, consensus). `no-evidence` needs controls that
        bracket the suspect in kind, and `evidence` a suspect no more capable than
        every control; otherwise the verdict is inconclusive and says why. Every
        result prints the method's measured error rates on lineage-dev beside
        the verdict (results/lineage-dev-evaluation.md).

        Compares the suspect's answers with the reference's and with control models'
        answers to the same probes (those answered by every model named), probe by
        probe. Controls are models known NOT to be trained on the reference's
        outputs (e.g. models tuned on human-written data, or base models). Name an
        --alternative-reference of another family (e.g. a Claude model when the
        reference is a GPT model): the primary test then asks whether the suspect
        leans toward the reference, relative to the alternative, more than every
        control does. This cancels the fact that almost everything resembles ChatGPT
        more than Claude.

        Tests (probes are the sampling unit; p-values from sign-flip resampling or
        exact tests):
          difference-in-differences  primary with --alternative-reference
          reference-centric          primary without it: S nearer to R than
                                     every control is
          self-identity claims       primary when R's maker is known: S says it
                                     is R or made by R's maker on more probes
                                     than every control does
          suspect-centric            context only

        The primary similarity test reads the whole fingerprint and each feature
        family on its own (words, character 4-grams, openings, style, markers):
        per control, a max-T sign-flip test takes the largest standardised lean
        over these views, and each sign flip applies to all views of a probe at
        once, so the p-value pays for picking the view. Format carries the
        signal on task-like prompts, words on real user prompts; fixed weights
        would dilute either. --whole-fingerprint-only tests the whole one alone.

        The primary tests are combined by Bonferroni with Tarone's rule for
        discrete tests, valid however the tests depend on each other: a test
        whose smallest achievable p-value (0.5^n for the identity test with n
        discordant probes, 1/(1+B) for a sign-flip test) cannot reach its
        share of alpha is left out, and the others share alpha. Usually the
        identity test has few discordant probes and the similarity test gets
        the whole alpha.

        Several references of one family (--reference gpt-3.5-turbo --reference
        gpt-4): per control, one max-T sign-flip test over every reference and
        every view, so a student of any one of them is tested against it and
        pays only for the references' dependence, not Bonferroni over all of
        them (the default since run 16 of results/lineage-dev-evaluation.md).
        The effect shown is the reference and view that carry the statistic.
        With --no-reference-max-t, the suspect is tested against each
        reference alone and the tests are combined by Bonferroni with
        Tarone's rule (runs 4-15); no-evidence then needs no-evidence against
        every reference. With --reference-mean, the references stand for their
        family instead: probe by probe, a model's similarity to the family is
        the mean of its similarities to them, and one test asks whether the
        suspect leans toward that mean (runs 6 and 8, not the default).
        Several --alternative-reference models are averaged. The references
        must be of one maker; an alternative must not be of theirs. JSON:
        `reference` is the first, `references` all, likewise
        `alternative_reference` and `alternative_references`.

        Verdicts and exit codes (for CI gates):
          10  evidence       the combined p-value is at most --alpha
          0   no-evidence    not rejected, and the data rule out an effect
                             that matters
          11  inconclusive   not rejected, but too few probes to rule out an
                             effect that matters (the output says about how
                             many probes would be needed), or too few controls
          2   bad input      unknown model, a model in two roles, no shared
                             probes...
          1   failure        anything else

        The effect that matters: a lean toward R of 0.1 probe-to-probe standard
        deviations beyond the controls', about what weakly distilled students show
        (strongly distilled ones show 0.3 or more). "no-evidence" needs the upper
        confidence bound of the effect to fall below it, in the whole fingerprint and
        in each family view (in its own standard deviations), which with fewer than
        a few hundred probes happens only when the suspect clearly leans away;
        otherwise a non-rejection is "inconclusive", with the number of probes that
        would be needed. With fewer than --minimum-controls controls (default 2)
        the verdict is at most inconclusive: one control cannot tell "S learnt from
        R" from "S and that model differ in kind".

        Similarities are cosines of fingerprints (word and character TF-IDF,
        openings, format and style, stock phrases, self-identity claims) after
        cleaning chat-template leftovers, fake next turns and probe echoes, and
        after removing what answer length explains.

        Examples:
          lineage attribute --suspect vicuna-13b --reference gpt-3.5-turbo
              --reference gpt-4 --alternative-reference claude-v1
              --control dolly-v2-12b --control guanaco-33b --control llama-13b
            (one command line)
          lineage attribute ... --json > result.json; echo $?   (10, 0 or 11)
        """

    static let configuration = CommandConfiguration(
        commandName: "attribute",
        abstract: "Test whether a suspect model was trained on a reference model's outputs.",
        usage: "lineage attribute --suspect S --reference R [--reference R ...] [--control C1 ...] [--alternative-reference R2 ...] [options]",
        discussion: Help.discussion(theory, command: "attribute", lead: """
            Compares the suspect's answers with the reference's and with control models' answers to the same probes, probe by probe. Controls are models known not to be trained on the reference's outputs; on an annotated store (`lineage models annotate`) the roles you leave out are chosen and explained.
            
            Exit codes: 10 evidence, 0 no-evidence, 11 inconclusive, 2 bad input, 1 failure (with --exit-zero, 0 whatever the verdict).
            """))

    @Option(help: "The model suspected of being trained on the reference's outputs.")
    var suspect: String?

    @Option(help: ArgumentHelp("Run many studies in one process from a file: CSV with the header suspect,references,alternatives,controls (lists separated by ';') or JSON Lines {\"suspect\", \"references\": [...], \"alternatives\": [...], \"controls\": [...]}. Roles left empty are chosen from the store's annotations. The fingerprints are built once for all of them.", valueName: "file"))
    var pairs: String?

    @Flag(help: ArgumentHelp("With --pairs: keep each test's per-probe effects and null sample in the JSON (about half a megabyte per study at 800 probes).",
                             discussion: "By default a batch's JSON leaves them out, so that a script reading hundreds of studies reads verdicts, "
                                + "p-values, effects and panels; run one study alone (or with --report) for its per-probe detail."))
    var perProbe = false

    @Option(name: .customLong("reference"), help: ArgumentHelp("The model whose outputs the suspect may have been trained on. Repeat it for several references of one family (e.g. gpt-3.5-turbo and gpt-4): one max-T test covers them all (--no-reference-max-t: each alone, combined by Bonferroni with Tarone's rule).", valueName: "model"))
    var references: [String] = []

    @Option(name: .customLong("control"), help: ArgumentHelp("A model known not to be trained on the reference's outputs (repeat the option for several).", valueName: "model"))
    var controls: [String] = []

    @Option(name: .customLong("alternative-reference"), help: ArgumentHelp("A reference of another family, for the difference-in-differences test (recommended). Repeat it for several (their mean similarity is used).", valueName: "model"))
    var alternativeReferences: [String] = []

    @OptionGroup var output: OutputOptions
    @OptionGroup var verdictOptions: VerdictOptions

    @OptionGroup var settings: AttributionSettings
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reportOptions: ReportOptions

    func run() throws {
        if let pairs {
            guard suspect == nil, references.isEmpty, controls.isEmpty, alternativeReferences.isEmpty, reportOptions.directory == nil else {
                printError("--pairs names every study's models itself: leave out --suspect, --reference, --control, --alternative-reference and --report")
                throw ExitCode(ExitCodes.badInput)
            }
            try runPairs(file: pairs)
            return
        }
        guard let suspect else {
            printError("no suspect: name the model under suspicion with --suspect (or run many studies with --pairs FILE)")
            throw ExitCode(ExitCodes.badInput)
        }
        guard !references.isEmpty else {
            printError("no reference: name the model the suspect may have learnt from with --reference")
            throw ExitCode(ExitCodes.badInput)
        }
        guard Set(references).count == references.count else {
            printError("a reference is named twice")
            throw ExitCode(ExitCodes.badInput)
        }
        let store = try storeOptions.openExisting()
        let progress = output.progress()
        progress.stage("fingerprinting the answers and running the tests")
        let (analysed, responses) = try analyse(store: store, progress: progress.counter)
        var result = analysed
        if reportOptions.directory != nil {
            progress.stage("writing the report")
            let models = ReportSubject.attribution(result).models
            if case .attribution(let written) = try reportOptions.write(.attribution(result), responses: responses.answeringEveryModel(models),
                                                                        store: store) {
                result = written
            }
        }
        progress.done()
        try verdictOptions.finish([.attribution(result)], format: output.resolved, suite: "lineage attribute",
                                  text: { AttributionSummary.text(result) }, json: { try LineageJSON.string(result) })
    }

    /// The one study this command line asks for (also what `lineage verify --recompute` re-runs).
    func analyse(store: ResponseStore, progress: WorkProgress = .silent) throws -> (AttributionResult, [StoredResponse]) {
        guard let suspect else { throw ValidationError("no suspect: the command names none") }
        let request = PairRequest(suspect: suspect, references: references, alternatives: alternativeReferences, controls: controls)
        let (results, responses, _) = try settings.analyse([request], store: store, progress: progress)
        return (results[0], responses)
    }

    struct Batch: Encodable {
        let schema = "lineage.attribution-batch/v1"
        let store: String
        let results: [AttributionResult]
    }

    func runPairs(file: String) throws {
        let requests: [PairRequest]
        do {
            requests = try PairRequest.read(path: file)
        } catch let error as ImportError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        }
        let store = try storeOptions.openExisting()
        let progress = output.progress()
        progress.stage("running \(requests.count) studies")
        let (analysed, _, _) = try settings.analyse(requests, store: store, progress: progress.counter)
        let results = perProbe ? analysed : analysed.map { $0.withoutProbeDetail() }
        progress.done()
        try verdictOptions.finish(results.map { .attribution($0) }, format: output.resolved, suite: "lineage attribute --pairs", text: {
            results.map { r in
                "\(r.suspect) ← \(r.namedReferences.joined(separator: ", ")): \(r.verdict.rawValue) (p = \(AttributionSummary.number(r.pValue)); "
                    + "\(r.controls.count) controls, alternative \(r.namedAlternativeReferences.isEmpty ? "none" : r.namedAlternativeReferences.joined(separator: ", ")))"
            }.joined(separator: "\n")
        }, json: { try LineageJSON.string(Batch(store: store.path, results: []), splicing: results, at: "results") })
    }

}

extension ExitCodes {
    static let evidence: Int32 = 10
    static let inconclusive: Int32 = 11

    static func code(for verdict: Verdict) -> Int32 {
        switch verdict {
        case .evidence: evidence
        case .noEvidence: success
        case .inconclusive: inconclusive
        }
    }

    /// For many studies (a screen, a batch): evidence if any study found it, else inconclusive if any
    /// was, else no-evidence.
    static func code(forAll verdicts: [Verdict]) -> Int32 {
        verdicts.contains(.evidence) ? evidence : verdicts.contains(.inconclusive) ? inconclusive : success
    }
}
