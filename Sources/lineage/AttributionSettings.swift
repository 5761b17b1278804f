import ArgumentParser
import Foundation
import Lineage

/// The method options `attribute` and `screen` share, and the analysis they run: each study's panel
/// (named roles kept, empty ones filled from the store's annotations), its tests, and its panel's fit.
struct AttributionSettings: ParsableArguments {
    @Flag(help: ArgumentHelp("With several references, test the mean similarity to them (one test) instead of each reference alone.",
                             discussion: "Evaluated in runs 6 and 8 of scripts/evaluate-lineage-dev and not the default: the mean over many "
                                + "models of a maker dilutes a student of one of them."))
    var referenceMean = false

    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("With several references, one max-T sign-flip test over every reference and view per control.",
                             discussion: "Exact under the null, and it pays only for the references' dependence: a student of one of ten "
                                + "models of a maker is tested against that model without Bonferroni over all ten. The default since run 16 of "
                                + "scripts/evaluate-lineage-dev (off with --reference-mean); --no-reference-max-t tests each reference alone "
                                + "and combines them by Bonferroni with Tarone's rule (runs 4-15)."))
    var referenceMaxT: Bool?

    /// Max-T over references unless asked for otherwise, or for the references' mean.
    var maxTOverReferences: Bool { referenceMaxT ?? !referenceMean }

    @Flag(help: ArgumentHelp("Centre each probe's fingerprints on the mean of every model in the store before the cosines.",
                             discussion: "The mean is over the models named and every annotated model (the store's consensus answer), so the "
                                + "cosines compare what each answer adds to what all models share; their answers also enter the document "
                                + "frequencies, and the report's manifest hashes them. Run 10 of scripts/evaluate-lineage-dev."))
    var centreOnStore = false

    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("Test the lean against an alternative reference of every other maker, each alone; it must hold against all.",
                             discussion: "When no alternative is named, Lineage chooses each other maker's model closest to the suspect in "
                                + "kind, and with several alternatives (chosen or named) tests each alone: the p-value is the largest over "
                                + "them (intersection-union), and no-evidence needs every one. With --no-each-alternative, one alternative "
                                + "is chosen, and several named ones stand for their mean (runs 7 and 13). The default since run 14 of "
                                + "scripts/evaluate-lineage-dev."))
    var eachAlternative = true

    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("Refuse evidence also when the suspect is less capable than every control, not only more.",
                             discussion: "Capability is the consensus measure of `lineage controls`. A suspect outside the controls' range "
                                + "on it (a base model among chat models, say) is a different kind of model, whose lean may say only that. "
                                + "--no-capability-both-sides refuses only a suspect more capable than every control (run 7). The default "
                                + "since run 14 of scripts/evaluate-lineage-dev."))
    var capabilityBothSides = true

    @Flag(inversion: .prefixedNo,
          help: ArgumentHelp("Let evidence carried by the self-identity test alone stand when the controls do not bracket the suspect.",
                             discussion: "The panel-fit cap exists because a lean in similarity may say only that the suspect is "
                                + "another kind of model; a model naming the reference's maker as its own on more probes than "
                                + "every control is not explained by kind. The default since run 15 of scripts/evaluate-lineage-dev; "
                                + "--no-identity-despite-fit caps it like any evidence (run 14)."))
    var identityDespiteFit = true

    @Option(help: "The reference's maker family for the self-identity test (default: inferred from its name, e.g. gpt-* → OpenAI).")
    var referenceFamily: String?

    @Option(help: "Significance level.")
    var alpha: Double = 0.05

    @Option(help: "Seed of every random draw (recorded in the result).")
    var seed: UInt64 = 20_240_601

    @Option(help: ArgumentHelp("Sign-flip replicates per test.",
                               discussion: "A p-value is never below 1/(1 + replicates). When that floor lies above the level a test is held to (--alpha divided among up to 2 tests per reference), the replicates are raised to the next 10^k − 1 that reaches it, and the result says so; above 999,999 the command is refused with the --alpha that would work."))
    var replicates: Int = 9_999

    @Option(help: "Bootstrap replicates per confidence interval.")
    var bootstrap: Int = 2_000

    @Option(help: "Fewest controls for the verdict evidence.")
    var minimumControls: Int = 2

    @Option(help: ArgumentHelp("Feature family weights, e.g. words=1,characters=1,openings=0.5,style=0.7,markers=0.5,identity=0.5 (families left out keep their default).", valueName: "family=weight,..."))
    var featureWeights: String?

    @Flag(help: "Do not remove what answer length explains from the similarities.")
    var noLengthAdjustment = false

    @Flag(help: ArgumentHelp("Test the whole fingerprint only, not also each feature family on its own.",
                             discussion: "By default the primary test is a max-T sign-flip test over the whole fingerprint and each family "
                                + "(words, character 4-grams, openings, style, markers) alone, so that a lean carried by one family is not "
                                + "diluted by the others; its p-value pays for the choice of family."))
    var wholeFingerprintOnly = false

    @Flag(help: ArgumentHelp("Use only the references named, not also every other model of the reference's maker in the store.",
                             discussion: "By default, on a store whose models are annotated (`lineage models annotate`), every model the store "
                                + "annotates as the reference maker's own joins the references: a student may have learnt from any of them."))
    var onlyNamedReferences = false

    @Flag(help: ArgumentHelp("Allow the reference-centric test as primary when no alternative reference is named or can be chosen.",
                             discussion: "That test asks only whether the suspect is nearer to the reference than every control, which a "
                                + "better assistant passes and a weaker student fails; without this flag Lineage refuses such a study."))
    var referenceCentric = false

    @Option(help: "How many controls Lineage chooses from an annotated store when none is named (the nearest to the suspect in kind; more are added until they bracket it).")
    var controlCount: Int = 8

    /// Each request's panel (named roles kept, empty ones filled from the store's annotations), its
    /// study (one per reference, combined, or one on their mean; the fingerprints built once for all
    /// requests), its panel's fit in kind, and the responses of every model used.
    /// With `skipping`, a request whose panel cannot be built is left out and its reason returned,
    /// instead of failing the whole batch.
    func analyse(_ requests: [PairRequest], store: ResponseStore, skipping: Bool = false, progress: WorkProgress = .silent) throws
        -> ([AttributionResult], [StoredResponse], skipped: [String: String]) {
        do {
            if referenceMaxT == true && referenceMean {
                throw ValidationError("--reference-max-t and --reference-mean ask for two different tests of several references\n  fix: choose one (or neither, to test each reference alone)")
            }
            let weights = try featureWeights.map { try FingerprintWeights(parsing: $0) }
            let named = requests.flatMap { [$0.suspect] + $0.references + $0.alternatives + $0.controls }
            try store.requireModels(named)
            let planner = try StudyPlanner(store: store, models: named)
            var builder = PanelBuilder()
            builder.familyReferences = !onlyNamedReferences
            builder.controlCount = controlCount
            builder.allowReferenceCentric = referenceCentric
            builder.alternativePerMaker = eachAlternative
            var plans: [StudyPlanner.Plan] = []
            var skipped: [String: String] = [:]
            var kindCache: [String: [String: ModelKind]] = [:]
            for request in requests {
                guard !request.references.isEmpty else {
                    throw FingerprintError(description: "no reference for the suspect \(request.suspect): every study needs one")
                }
                let maker = planner.maker(ofReference: request.references[0], stated: referenceFamily)
                // Suspects answering the same probes share one profile per reference maker.
                let key = (maker ?? "?") + "|" + planner.commonProbes([request.suspect]).sorted().map(String.init).joined(separator: ",")
                let kinds = kindCache[key] ?? planner.kinds(suspect: request.suspect, referenceMaker: maker)
                kindCache[key] = kinds
                do {
                    plans.append(try planner.plan(suspect: request.suspect, references: request.references, alternativeReferences: request.alternatives,
                                                  controls: request.controls, builder: builder, referenceFamily: referenceFamily, kinds: kinds,
                                                  capabilityBothSides: capabilityBothSides))
                } catch let error as FingerprintError where skipping {
                    skipped[request.suspect] = error.description
                }
            }
            let studies = try plans.map { plan -> AttributionOptions in
                var options = planner.options(for: plan, referenceFamily: referenceFamily)
                options.alpha = alpha
                options.seed = seed
                options.replicates = replicates
                options.bootstrap = bootstrap
                options.adjustForLength = !noLengthAdjustment
                options.familyViews = !wholeFingerprintOnly
                options.minimumControls = minimumControls
                options.referenceMaxT = maxTOverReferences
                options.centreOnPool = centreOnStore
                options.eachAlternative = eachAlternative
                options.studiesCombined = referenceMean || maxTOverReferences ? 1 : options.references.count
                if let weights { options.weights = weights }
                try options.validate()
                return options
            }
            let used = Set(studies.flatMap(\.models))
            // A batch that names every model of the pool reads the pool as it is (no copy of every answer).
            let responses = centreOnStore || planner.responses.allSatisfy({ used.contains($0.model) })
                ? planner.responses : planner.responses.filter { used.contains($0.model) }
            let catalog = try store.probeCatalog(probeIDs: Array(Set(responses.map(\.probeID))))
            let results = try StudyBatch.run(studies, responses: responses, catalog: catalog, referenceMean: referenceMean,
                                             command: invocation, store: store.path, progress: progress)
            return (zip(results, plans).map { $0.planned($1, identityDespiteFit: identityDespiteFit) }, responses, skipped)
        } catch let error as FingerprintError {
            printError(error.description)
            throw ExitCode(ExitCodes.badInput)
        } catch let error as ValidationError {
            printError(error.message)
            throw ExitCode(ExitCodes.badInput)
        }
    }
}
