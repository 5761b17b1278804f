import ArgumentParser
import Foundation
import Lineage

struct ScreenCommand: ParsableCommand {
    /// The method, verdicts and exit codes: `lineage explain screen` prints it; `--help` shows its examples.
    static let theory = """
        The CI job's question ("did any of this week's releases learn from R?") and the
        researcher's ("which of these 50 models were distilled from R?"). Each suspect gets
        the study `lineage attribute --suspect S --reference R` would run on this store,
        with the panel chosen from the store's annotations where not named; the
        fingerprints of every model are built once for all suspects. The p-values are then
        corrected across the suspects screened:
          holm  (default) family-wise error at most --alpha, under any dependence
          bh    Benjamini–Hochberg: expected share of false findings at most --alpha,
                valid for independent or positively dependent p-values
          none  each suspect at --alpha alone (as if each were its own question)
        A suspect is `evidence` when its study says evidence and its corrected p-value is
        at most --alpha; significant alone but not after correction reads `inconclusive`.

        Suspects left out by default: the references and every model annotated as the
        reference maker's own.

        Exit codes: 10 if any suspect is evidence, 11 if none is but some are
        inconclusive, 0 if all are no-evidence, 2 bad input.

        Examples:
          lineage screen --reference gpt-3.5-turbo
          lineage screen --reference gpt-4 --suspect model-a --suspect model-b --json
          lineage screen --reference gpt-4 --report screen   # screen/index.html
        """

    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Test every suspect of a list (default: every model in the store) against a reference, in one process.",
        discussion: Help.discussion(theory, command: "screen", lead: """
            Runs the study `lineage attribute --suspect S --reference R` would run for every suspect in the store, and corrects the p-values across them (Holm by default).
            
            Exit codes: 10 if any suspect is evidence, 11 if none is but some are inconclusive, 0 if all are no-evidence, 2 bad input.
            """))

    @Option(name: .customLong("reference"), help: ArgumentHelp("The reference (repeat for several of one maker).", valueName: "model"))
    var references: [String] = []

    @Option(name: .customLong("suspect"), help: ArgumentHelp("A suspect (repeat; default: every model in the store but the references and the reference maker's own).", valueName: "model"))
    var suspects: [String] = []

    @Option(name: .customLong("control"), help: ArgumentHelp("Controls for every suspect (default: chosen per suspect from the annotations).", valueName: "model"))
    var controls: [String] = []

    @Option(name: .customLong("alternative-reference"), help: ArgumentHelp("The alternative reference for every suspect (default: chosen per suspect).", valueName: "model"))
    var alternativeReferences: [String] = []

    @Option(help: "The correction across suspects: holm, bh or none.")
    var correction: String = "holm"

    @Flag(help: ArgumentHelp("Keep each study's per-probe effects and null samples in the JSON (about half a megabyte per suspect at 800 probes).",
                             discussion: "By default the JSON leaves them out; the report (--report) has them for every suspect either way."))
    var perProbe = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var verdictOptions: VerdictOptions

    @OptionGroup var settings: AttributionSettings
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reportOptions: ReportOptions

    struct Row: Codable {
        var suspect: String
        var verdict: Verdict
        var studyVerdict: Verdict
        var pValue: Double
        var adjustedPValue: Double
        var effect: EffectEstimate
        var references: [String]
        var alternativeReferences: [String]
        var controls: [String]
        var bracketed: Bool?
    }

    struct Screen: Encodable {
        let schema = "lineage.screen/v1"
        let store: String
        let reference: String
        let alpha: Double
        let correction: String
        let correctionMeaning: String
        let rows: [Row]
        var results: [AttributionResult]
        let skipped: [String: String]

        /// The JSON text, its results encoded on every core.
        func json() throws -> String {
            var header = self
            header.results = []
            return try LineageJSON.string(header, splicing: results, at: "results")
        }
    }

    func run() throws {
        guard !references.isEmpty else {
            printError("no reference: name the model the suspects may have learnt from with --reference")
            throw ExitCode(ExitCodes.badInput)
        }
        guard ["holm", "bh", "none"].contains(correction) else {
            printError("--correction must be holm, bh or none, got '\(correction)'")
            throw ExitCode(ExitCodes.badInput)
        }
        let store = try storeOptions.openExisting()
        let annotations = try store.annotations()
        let maker = StudyPlanner.maker(ofReference: references[0], annotations: annotations, stated: settings.referenceFamily)
        let named = Set(references + controls + alternativeReferences)
        let candidates = suspects.isEmpty
            ? try store.modelNames().filter { model in
                !named.contains(model) && !(annotations[model].map { $0.trainedOn == .original && $0.maker?.lowercased() == maker?.lowercased() } ?? false)
            }
            : suspects
        guard !candidates.isEmpty else {
            printError("no suspect to screen: name some with --suspect")
            throw ExitCode(ExitCodes.badInput)
        }
        // With the default list, a suspect whose panel cannot be built is reported as skipped, not fatal.
        let requests = candidates.map { suspect in
            PairRequest(suspect: suspect, references: references, alternatives: alternativeReferences, controls: controls.filter { $0 != suspect })
        }
        let progress = output.progress()
        progress.stage("screening \(requests.count) suspects")
        let (results, responses, skipped) = try settings.analyse(requests, store: store, skipping: suspects.isEmpty, progress: progress.counter)
        progress.done()
        let raw = results.map(\.pValue)
        let adjusted = correction == "holm" ? MultipleTesting.holm(raw) : correction == "bh" ? MultipleTesting.benjaminiHochberg(raw) : raw
        let alpha = settings.alpha
        var rows = zip(results, adjusted).map { r, p -> Row in
            let verdict: Verdict = r.verdict == .evidence ? (p <= alpha ? .evidence : .inconclusive) : r.verdict
            return Row(suspect: r.suspect, verdict: verdict, studyVerdict: r.verdict, pValue: r.pValue, adjustedPValue: p, effect: r.effect,
                       references: r.namedReferences, alternativeReferences: r.namedAlternativeReferences, controls: r.controls,
                       bracketed: r.panelFit?.brackets)
        }
        rows.sort { ($0.adjustedPValue, $0.pValue, $0.suspect) < ($1.adjustedPValue, $1.pValue, $1.suspect) }
        let meaning = switch correction {
        case "holm": "Holm's step-down over \(rows.count) suspects: the chance of calling any innocent suspect evidence is at most α, under any dependence"
        case "bh": "Benjamini–Hochberg over \(rows.count) suspects: the expected share of innocent suspects among those called evidence is at most α (independent or positively dependent p-values)"
        default: "none: each suspect at α alone; with many suspects, some innocent ones are expected to reach α by chance"
        }
        let screen = Screen(store: store.path, reference: references.joined(separator: ","), alpha: alpha, correction: correction,
                            correctionMeaning: meaning, rows: rows, results: perProbe ? results : results.map { $0.withoutProbeDetail() },
                            skipped: skipped)
        // CSV, Markdown and JUnit read each suspect's study with the verdict after correction.
        let corrected = Dictionary(uniqueKeysWithValues: rows.map { ($0.suspect, $0) })
        let subjects: [ReportSubject] = results.map { result in
            var r = result
            if let row = corrected[r.suspect], row.verdict != r.verdict {
                r.verdict = row.verdict
                r.warnings.append("screen: evidence alone (p = \(AttributionSummary.number(row.pValue))), but not after the correction across suspects (corrected p = \(AttributionSummary.number(row.adjustedPValue)))")
            }
            return .attribution(r)
        }.sorted { (corrected[$0.models[0]]?.adjustedPValue ?? 1) < (corrected[$1.models[0]]?.adjustedPValue ?? 1) }
        if let directory = reportOptions.directory {
            try ScreenReport.write(to: directory, screen: screen, subjects: subjects, responses: responses, store: store,
                                   signingKey: reportOptions.signingKey)
            FileHandle.standardError.write(Data((Escape.terminal("report: \(directory)/index.html (one verifiable report per suspect in \(directory)/suspects)") + "\n").utf8))
        }
        try verdictOptions.finish(subjects, format: output.resolved, suite: "lineage screen", text: {
            var out: [String] = []
            out.append("Screen: which of \(rows.count) suspects learnt from \(references.joined(separator: ", "))? (α = \(AttributionSummary.number(alpha)); \(meaning))")
            let width = max(7, rows.map(\.suspect.count).max() ?? 0)
            out.append("suspect".padding(toLength: width, withPad: " ", startingAt: 0) + "  verdict       p          corrected  effect [95% CI]                 bracketed  controls")
            for row in rows {
                let effect = "\(AttributionSummary.number(row.effect.estimate)) [\(AttributionSummary.number(row.effect.ciLow)), \(AttributionSummary.number(row.effect.ciHigh))]"
                out.append(row.suspect.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                      + row.verdict.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                      + AttributionSummary.number(row.pValue).padding(toLength: 9, withPad: " ", startingAt: 0) + "  "
                      + AttributionSummary.number(row.adjustedPValue).padding(toLength: 9, withPad: " ", startingAt: 0) + "  "
                      + effect.padding(toLength: 30, withPad: " ", startingAt: 0) + "  "
                      + (row.bracketed.map { $0 ? "yes" : "no" } ?? "–").padding(toLength: 9, withPad: " ", startingAt: 0) + "  "
                      + "\(row.controls.count)")
            }
            for (suspect, why) in skipped.sorted(by: { $0.key < $1.key }) { out.append("skipped \(suspect): \(why.split(separator: "\n").first ?? "")") }
            return out.joined(separator: "\n")
        }, json: { try screen.json() })
    }
}
