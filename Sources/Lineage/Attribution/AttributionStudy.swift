import Foundation

/// What `lineage attribute` is asked, with every knob that changes the answer.
public struct AttributionOptions: Sendable {
    public var suspect: String
    /// The reference, or several references of one family (e.g. gpt-3.5-turbo and gpt-4): the
    /// suspect's similarity to the family is the mean of its similarities to them, probe by probe.
    public var references: [String]
    /// References of other families, whose mean similarity the difference-in-differences test
    /// measures the lean against (recommended; none: the reference-centric test is primary).
    public var alternativeReferences: [String]
    public var controls: [String]
    public var alpha = 0.05
    public var seed: UInt64 = 20_240_601
    /// Sign-flip replicates per test.
    public var replicates = 9_999
    /// Bootstrap replicates per confidence interval.
    public var bootstrap = 2_000
    public var adjustForLength = true
    public var weights = FingerprintWeights()
    /// The maker family whose names count as the reference's identity (default: inferred from its name).
    public var referenceFamily: String?
    /// Below this many probes the verdict is at best `inconclusive`.
    public var minimumProbes = 20
    /// Below this many controls the verdict is at best `inconclusive`: against a single control the
    /// test cannot tell "S learnt from R" from "S and that one model differ in kind" (e.g. a chat
    /// model against a base model), whatever the p-value.
    public var minimumControls = 2
    /// Whether the primary test also reads each feature family's own cosines (a max-T test over the
    /// whole fingerprint and the families, `PairedResampling.signFlipMaxT`) rather than the whole
    /// fingerprint's alone.
    public var familyViews = true
    /// How many studies (one per reference) `combine` joins into one verdict: each test is held
    /// to α / (2 × this) at worst (the primary and the identity test per study), and `replicates`
    /// is raised until 1/(1 + B) reaches that level (`ResamplingFloor`).
    public var studiesCombined = 1
    /// With several references: the primary test is a max-T sign-flip test over every reference (and
    /// every view) per control, so that a student of one of the maker's models is tested against that
    /// model without Bonferroni's price for the others (only their dependence is paid for). Off: the
    /// references stand for their mean (`--reference-mean`), or `analyseEachReference` tests each alone.
    public var referenceMaxT = false
    /// Centre each probe's fingerprints on the mean of every model in the responses given (the store's
    /// consensus answer) before the cosines, so that they compare what each answer adds to what all
    /// models share. Off: the cosines of the fingerprints themselves (runs 1-9).
    public var centreOnPool = false
    /// With several alternative references: the lean must hold against each alone (intersection-union
    /// over alternatives, `analyseEachAlternative`), so that a suspect resembling a third maker cannot
    /// read as leaning toward R. Off: their mean is the alternative side (`ReferenceSides`).
    public var eachAlternative = false
    /// Random draws shared by the studies of a batch (`StudyBatch`); they change no result, only how
    /// often the same draws are made.
    public var draws: ResamplingDraws?

    /// The level the primary sign-flip test is held to at worst, after Bonferroni over the tests
    /// of every study combined.
    public var worstCaseTestLevel: Double { alpha / Double(2 * max(1, studiesCombined)) }

    public init(suspect: String, references: [String], alternativeReferences: [String] = [], controls: [String]) {
        self.suspect = suspect
        self.references = references
        self.alternativeReferences = alternativeReferences
        self.controls = controls
    }

    public init(suspect: String, reference: String, alternativeReference: String? = nil, controls: [String]) {
        self.init(suspect: suspect, references: [reference], alternativeReferences: alternativeReference.map { [$0] } ?? [], controls: controls)
    }

    /// The first reference.
    public var reference: String {
        get { references[0] }
        set { references[0] = newValue }
    }

    /// The reference side as results name it: the model, or `{A, B}` for the mean over several.
    public var referenceLabel: String { Self.label(references) }
    /// The alternative side as results name it; nil when there is none.
    public var alternativeLabel: String? { alternativeReferences.isEmpty ? nil : Self.label(alternativeReferences) }

    static func label(_ models: [String]) -> String {
        models.count == 1 ? models[0] : "{" + models.joined(separator: ", ") + "}"
    }

    public var models: [String] { [suspect] + references + alternativeReferences + controls }

    /// Checks the roles; the message says what to change.
    public func validate() throws {
        guard !references.isEmpty else {
            throw FingerprintError(description: "no reference: name the model the suspect may have learnt from with --reference")
        }
        guard !controls.isEmpty else {
            throw FingerprintError(description: "no control model: name at least one with --control (a model known not to be trained on \(referenceLabel)'s outputs)")
        }
        var seen = Set<String>()
        for model in models where !seen.insert(model).inserted {
            throw FingerprintError(description: "'\(model)' is named twice: suspect, references, alternative references and controls must all differ")
        }
        if referenceFamily == nil {
            let families = Set(references.compactMap { IdentityLexicon.family(ofModelNamed: $0)?.name })
            if families.count > 1 {
                throw FingerprintError(description: "the references belong to different makers (\(families.sorted().joined(separator: ", "))): several references "
                    + "stand for one family, whose mean similarity is tested; name one family's models with --reference and the others with --alternative-reference, "
                    + "or state the family with --reference-family")
            }
            if let family = families.first,
               let clash = alternativeReferences.first(where: { IdentityLexicon.family(ofModelNamed: $0)?.name == family }) {
                throw FingerprintError(description: "the alternative reference '\(clash)' is of the references' own family (\(family)): an alternative "
                    + "measures the lean against other families; name it with --reference instead, or leave it out")
            }
        }
        guard alpha > 0, alpha < 0.5 else { throw FingerprintError(description: "--alpha must lie between 0 and 0.5, got \(alpha)") }
        guard replicates >= 99, bootstrap >= 99 else { throw FingerprintError(description: "use at least 99 replicates") }
    }
}

/// Attribution: from stored responses to an `AttributionResult`.
///
/// The sampling unit is the probe. For each probe, fingerprint cosines (length-adjusted) give
/// per-probe effects against every control, and the tests are sign-flip tests over probes:
/// - difference-in-differences (primary when an alternative reference R₂ is named): S leans toward
///   R, relative to R₂, more than each control does — [s(S,R) − s(S,R₂)] − [s(C,R) − s(C,R₂)].
///   Everything looks more like ChatGPT than like Claude; this difference cancels that.
/// - reference-centric (primary without R₂): S is nearer to R than each control is — s(S,R) − s(C,R).
/// - suspect-centric (context only): S is nearer to R than to each control — s(S,R) − s(S,C).
/// - self-identity (primary when R's maker is known): S names R or its maker on more probes than
///   each control does (McNemar's exact test; names the probe mentions do not count).
/// Each similarity test is intersection-union over controls (its p-value is the largest over
/// controls: S must beat every control). The primary one reads the whole fingerprint and each
/// feature family alone (`familyViews`): per control a max-T sign-flip test over those views. The primary tests are combined by Bonferroni with Tarone's rule for discrete tests (valid under
/// any dependence). The verdict is `evidence` when the combined p ≤ α; `no-evidence` when not and
/// the (1 − α) upper confidence bound of the primary effect lies below the effect that matters
/// (`PowerAnalysis.standardizedEffectThatMatters` probe-to-probe standard deviations), with at
/// least `minimumProbes` probes; otherwise `inconclusive`, with the probes needed (also when fewer than
/// `minimumControls` controls were named, whatever the p-value).
public enum AttributionStudy {
    public static func run(options: AttributionOptions, responses: [StoredResponse], catalog: ProbeCatalog = ProbeCatalog(),
                           command: String = "", store: String = "") throws -> AttributionResult {
        try options.validate()
        var builder = FingerprintBuilder(weights: options.weights)
        builder.keepFamilies = options.familyViews
        let raw = try builder.similarities(of: responses, models: options.models)
        return try analyse(options: options, similarities: raw, catalog: catalog, command: command, store: store)
    }

    /// One study per reference (`options.references`, each with the same suspect, alternatives and
    /// controls), combined by `combine`. The fingerprints are built once, over every model of every study,
    /// and each study reads its own models' cosines from them.
    public static func runEachReference(options: AttributionOptions, responses: [StoredResponse], catalog: ProbeCatalog = ProbeCatalog(),
                                        command: String = "", store: String = "") throws -> AttributionResult {
        try options.validate()
        var builder = FingerprintBuilder(weights: options.weights)
        builder.keepFamilies = options.familyViews
        let all = try builder.similarities(of: responses, models: options.models)
        return try analyseEachReference(options: options, similarities: all, catalog: catalog, command: command, store: store)
    }

    /// One study per reference on similarities over `options.models`, combined by `combine`.
    public static func analyseEachReference(options: AttributionOptions, similarities all: ProbeSimilarities, catalog: ProbeCatalog = ProbeCatalog(),
                                            command: String = "", store: String = "", progress: WorkProgress = .silent) throws -> AttributionResult {
        let done = progress.counter("reference", of: options.references.count)
        let studies = try concurrentMap(options.references.count) { index in
            defer { done.advance() }
            var single = options
            single.references = [options.references[index]]
            return try analyse(options: single, similarities: all.restricted(to: single.models), catalog: catalog, command: command, store: store)
        }
        return combine(studies, minimumControls: options.minimumControls)
    }

    /// The tests and the verdict on per-probe similarities whose models are `options.models`, in order.
    public static func analyse(options: AttributionOptions, similarities raw: ProbeSimilarities, catalog: ProbeCatalog = ProbeCatalog(),
                               command: String = "", store: String = "") throws -> AttributionResult {
        try options.validate()
        if options.eachAlternative && options.alternativeReferences.count > 1 {
            return try analyseEachAlternative(options: options, similarities: raw, catalog: catalog, command: command, store: store)
        }
        var options = options
        let floor = try ResamplingFloor.replicates(
            requested: options.replicates, level: options.worstCaseTestLevel, option: "--replicates", alpha: options.alpha,
            multiplicity: "/ \(2 * max(1, options.studiesCombined)), Bonferroni over up to 2 tests for each of \(max(1, options.studiesCombined)) reference(s)")
        options.replicates = floor.replicates
        precondition(raw.models == options.models, "similarities must list the models in the options' order")
        let adjustment = options.adjustForLength ? LengthAdjustment.fit(raw) : nil
        let data = adjustment?.apply(to: raw) ?? raw
        // The views the primary test reads: the whole fingerprint, then each family in use on its own
        // (each length-adjusted by its own fit).
        var fingerprintViews: [(name: String, data: ProbeSimilarities)] = [("whole fingerprint", data)]
        if options.familyViews {
            for family in FingerprintFamily.views where family.weight(in: options.weights) > 0 {
                guard let cosines = raw.familySimilarities[family] else { continue }
                var view = raw
                view.similarities = cosines
                fingerprintViews.append((family.rawValue, options.adjustForLength ? LengthAdjustment.fit(view).apply(to: view) : view))
            }
        }

        let s = 0
        // models = [S] + references + alternatives + controls
        let firstAlternative = 1 + options.references.count, firstControl = firstAlternative + options.alternativeReferences.count
        let controlIndices = Array(firstControl..<options.models.count)
        let sides = ReferenceSides(references: Array(1..<firstAlternative), alternatives: Array(firstAlternative..<firstControl))
        // The primary test's views: each fingerprint view, against the references' mean, or (max-T over
        // references) against each reference alone.
        let perReference = options.referenceMaxT && options.references.count > 1
        let views: [(name: String, data: ProbeSimilarities, sides: ReferenceSides, fingerprintView: String, reference: String?)] = perReference
            ? sides.references.flatMap { r in fingerprintViews.map { v in
                ("\(v.name) toward \(options.models[r])", v.data, ReferenceSides(references: [r], alternatives: sides.alternatives), v.name, options.models[r]) } }
            : fingerprintViews.map { ($0.name, $0.data, sides, $0.name, nil) }
        let probeCount = data.probes.count
        let seed = options.seed
        let meanNote = options.references.count > 1 || options.alternativeReferences.count > 1
            ? "; s(x,{A, B, ...}) is the mean of x's similarities to A, B, ..." : ""
        let lengthNote = (options.adjustForLength ? " (length-adjusted cosine" : " (cosine") + meanNote + ")"
        var warnings: [String] = floor.note.map { [$0] } ?? []

        func effects(_ perProbe: (Matrix, Int) -> Float) -> Matrix {
            var m = Matrix(rows: probeCount, columns: controlIndices.count)
            for p in 0..<probeCount {
                for (k, c) in controlIndices.enumerated() { m[p, k] = perProbe(data.similarities[p], c) }
            }
            return m
        }
        /// P × (controls · views): column k·V + v is view v's effect against control k.
        func viewEffects(_ perProbe: (Matrix, Int, ReferenceSides) -> Float) -> Matrix {
            var m = Matrix(rows: probeCount, columns: controlIndices.count * views.count)
            // One view at a time, so that its similarities are read without copying the view per entry.
            for v in views.indices {
                let similarities = views[v].data.similarities, sides = views[v].sides
                for p in 0..<probeCount {
                    for (k, c) in controlIndices.enumerated() { m[p, k * views.count + v] = perProbe(similarities[p], c, sides) }
                }
            }
            return m
        }
        func probeEffects(_ column: [Double]) -> [ProbeEffect] {
            zip(data.probes, column).map { probe, effect in
                let entry = catalog.entries[probe.probeID]
                return ProbeEffect(probeID: entry?.externalID ?? String(probe.probeHash.prefix(12)), probeHash: probe.probeHash,
                                   category: entry?.category, effect: effect)
            }
        }

        struct SimilarityTest {
            var result: HypothesisTestResult
            var bindingColumn: [Double]
            var upperBound: Double
            var bindingControl: Int
            /// Family views (max-T test only) whose upper confidence bound does not rule out an effect
            /// that matters against the binding control: "no evidence" must hold in every view the test read.
            var viewsNotRuledOut: [String] = []
        }
        /// The binding control: the largest p-value, ties to the smallest observed statistic.
        func bindingIndex(_ pValues: [Double], _ observed: [Double]) -> Int {
            pValues.indices.max { x, y in (pValues[x], -observed[x]) < (pValues[y], -observed[y]) }!
        }
        /// About 1,000 of a column's B null replicates, for the report's chart.
        func thinnedNull(_ null: Matrix, column: Int) -> [Double] {
            Swift.stride(from: 0, to: null.rows, by: max(1, null.rows / 1000)).map { Double(null[$0, column]) }
        }
        /// An intersection-union sign-flip test over controls on a P×K effect matrix.
        func similarityTest(name: String, null: String, alternative: String, description: String,
                            effects e: Matrix, seedOffset: UInt64) -> SimilarityTest {
            let testSeed = seed &+ seedOffset
            let outcome = PairedResampling.signFlip(effects: e, replicates: options.replicates, seed: testSeed)
            let binding = bindingIndex(outcome.pValues, outcome.observed)
            let column = (0..<e.rows).map { Double(e[$0, binding]) }
            let perControl = zip(controlIndices, zip(outcome.observed, outcome.pValues)).map { c, v in
                "\(options.models[c]): mean \(formatNumber(v.0)), p = \(formatNumber(v.1))"
            }.joined(separator: "; ")
            return finish(name: name, null: null, alternative: alternative, description: description, statistic: outcome.observed[binding],
                          pValue: outcome.pValues.max()!, column: column, binding: binding, testSeed: testSeed,
                          method: "paired sign-flip test over probes, one-sided, B = \(options.replicates); intersection-union over controls "
                              + "(p = largest over controls; binding control: \(options.models[controlIndices[binding]])). Per control: \(perControl)",
                          nullSample: thinnedNull(outcome.null, column: binding))
        }
        /// The same test on several views (the whole fingerprint and each family alone): per control a
        /// max-T sign-flip test over the views, then intersection-union over controls. The effect shown
        /// is the whole fingerprint's, against the binding control.
        func viewsTest(name: String, null: String, alternative: String, description: String,
                       effects e: Matrix, seedOffset: UInt64) -> SimilarityTest {
            let testSeed = seed &+ seedOffset
            let v = views.count
            let outcome = PairedResampling.signFlipMaxT(effects: e, views: v, replicates: options.replicates, seed: testSeed)
            let binding = bindingIndex(outcome.pValues, outcome.observed)
            // The effect shown is the view that carries the statistic against the binding control, so the
            // effect, its interval and the p-value describe one and the same comparison.
            let lead = outcome.largestView[binding]
            let column = (0..<e.rows).map { Double(e[$0, binding * v + lead]) }
            let perControl = controlIndices.enumerated().map { k, c in
                "\(options.models[c]): max-T p = \(formatNumber(outcome.pValues[k])), largest view \(views[outcome.largestView[k]].name) ("
                    + views.indices.map { "\(views[$0].name) t = \(formatNumber(outcome.standardized[k][$0])), p = \(formatNumber(outcome.viewPValues[k][$0]))" }
                        .joined(separator: ", ") + ")"
            }.joined(separator: "; ")
            let leadDescription = description.replacingOccurrences(of: "{reference}", with: views[lead].reference ?? "{reference}")
                + " in the \(views[lead].fingerprintView) view"
            var test = finish(name: name, null: null, alternative: alternative,
                              description: leadDescription, statistic: outcome.observed[binding],
                          pValue: outcome.pValues.max()!, column: column, binding: binding, testSeed: testSeed,
                          method: "paired sign-flip max-T test over probes, one-sided, B = \(options.replicates), over \(v) views of the "
                              + "fingerprint (\(views.map(\.name).joined(separator: ", "))): per control, the statistic is the largest "
                              + "standardised mean (mean / root mean square over probes) over the views, and each sign flip applies to every view "
                              + "of a probe at once; intersection-union over controls (p = largest over controls; binding control: "
                              + "\(options.models[controlIndices[binding]])). The statistic is in standardised units; the effect is the mean of the view "
                              + "that carries it against the binding control (\(views[lead].name)). Per control: \(perControl)",
                          nullSample: thinnedNull(outcome.null, column: binding))
            // Every other view against the binding control: its one-sided (1 − α) upper bound of the mean,
            // in its own probe-to-probe standard deviations, against the effect that matters.
            let others = (0..<v).filter { $0 != lead }
            let otherColumns = Matrix(rows: e.rows, columns: others.count, values: (0..<e.rows).flatMap { p in others.map { e[p, binding * v + $0] } })
            let means = PairedResampling.bootstrapMeans(effects: otherColumns, replicates: options.bootstrap, seed: testSeed &+ 2, draws: options.draws)
            for (k, j) in others.enumerated() {
                let sd = meanAndStandardDeviation((0..<e.rows).map { Double(e[$0, binding * v + j]) }).sd
                let upper = PairedResampling.percentileInterval((0..<options.bootstrap).map { Double(means[$0, k]) }.sorted(),
                                                                level: 1 - 2 * options.alpha).high
                if upper >= PowerAnalysis.standardizedEffectThatMatters * sd { test.viewsNotRuledOut.append(views[j].name) }
            }
            test.result.statisticDescription = "largest standardised mean (mean / root mean square over probes) over \(v) fingerprint views, "
                + "here the \(views[outcome.largestView[binding]].name) view against the binding control \(options.models[controlIndices[binding]])"
            return test
        }
        func finish(name: String, null: String, alternative: String, description: String, statistic: Double, pValue: Double,
                    column: [Double], binding: Int, testSeed: UInt64, method: String, nullSample: [Double]) -> SimilarityTest {
            let replicates = PairedResampling.bootstrapMeans(effects: Matrix(rows: column.count, columns: 1, values: column.map(Float.init)),
                                                             replicates: options.bootstrap, seed: testSeed &+ 1, draws: options.draws).values.map(Double.init).sorted()
            let interval = PairedResampling.percentileInterval(replicates, level: 0.95)
            // The one-sided (1 − α) upper confidence bound, for the no-evidence rule.
            let upper = PairedResampling.percentileInterval(replicates, level: 1 - 2 * options.alpha).high
            let controlName = options.models[controlIndices[binding]]
            let result = HypothesisTestResult(
                name: name, nullHypothesis: null, alternative: alternative,
                statistic: statistic, pValue: pValue,
                effect: EffectEstimate(description: description.replacingOccurrences(of: "{control}", with: controlName) + lengthNote,
                                       estimate: meanAndStandardDeviation(column).mean, ciLow: interval.low, ciHigh: interval.high,
                                       level: 0.95, method: "percentile bootstrap over probes, B = \(options.bootstrap)"),
                sampleSizes: ["probes": probeCount, "controls": controlIndices.count],
                method: method,
                replicates: options.replicates, seed: testSeed, nullDistribution: nullSample, perProbe: probeEffects(column))
            return SimilarityTest(result: result, bindingColumn: column, upperBound: upper, bindingControl: controlIndices[binding])
        }

        let S = options.suspect, R = options.referenceLabel
        var primary: SimilarityTest
        var context: [HypothesisTestResult] = []
        let referenceCentric = similarityTest(
            name: "reference-centric closeness",
            null: "\(S) is no nearer to \(R) than some control is (per probe, s(\(S),\(R)) − s(C,\(R)) is symmetric about 0 for some control C)",
            alternative: "\(S) is nearer to \(R) than every control is",
            description: "mean per-probe s(\(S),\(R)) − s({control},\(R))",
            effects: effects { m, c in sides.toward(m, s) - sides.toward(m, c) }, seedOffset: 10)
        let suspectCentric = similarityTest(
            name: "suspect-centric closeness",
            null: "\(S) is no nearer to \(R) than to some control",
            alternative: "\(S) is nearer to \(R) than to every control",
            description: "mean per-probe s(\(S),\(R)) − s(\(S),{control})",
            effects: effects { m, c in sides.toward(m, s) - m[s, c] }, seedOffset: 20)
        if let R2 = options.alternativeLabel {
            let lean = { (m: Matrix, c: Int) -> Float in sides.lean(m, s) - sides.lean(m, c) }
            let viewLean = { (m: Matrix, c: Int, side: ReferenceSides) -> Float in side.lean(m, s) - side.lean(m, c) }
            let anyOf = perReference ? "any of " : ""
            primary = (views.count > 1 ? viewsTest : similarityTest)(
                "difference-in-differences lean",
                "\(S) leans toward \(anyOf)\(R) (relative to \(R2)) no more than some control does",
                "\(S) leans toward \(anyOf)\(R), relative to \(R2), more than every control does",
                "mean per-probe [s(\(S),\(perReference ? "{reference}" : R)) − s(\(S),\(R2))] − [s({control},\(perReference ? "{reference}" : R)) − s({control},\(R2))]",
                views.count > 1 ? viewEffects(viewLean) : effects(lean), 0)
            context = [referenceCentric.result, suspectCentric.result]
        } else {
            primary = views.count > 1
                ? viewsTest(name: referenceCentric.result.name, null: referenceCentric.result.nullHypothesis,
                            alternative: referenceCentric.result.alternative, description: "mean per-probe s(\(S),\(R)) − s({control},\(R))",
                            effects: viewEffects { m, c, side in side.toward(m, s) - side.toward(m, c) }, seedOffset: 10)
                : referenceCentric
            context = [suspectCentric.result]
            warnings.append("no alternative reference: the primary test is reference-centric closeness, which a model that is simply a "
                + "better assistant than the controls can pass; name a reference of another family with --alternative-reference")
        }

        // Self-identity claims.
        var identity: HypothesisTestResult?
        let familyName = options.referenceFamily ?? IdentityLexicon.family(ofModelNamed: options.reference)?.name
        if let familyName, let f = IdentityLexicon.families.firstIndex(where: { $0.name.lowercased() == familyName.lowercased() }) {
            let claims = { (model: Int) in data.identityClaims.map { $0[model][f] } }
            let outcomes = controlIndices.map { PairedClaimTest.test(suspect: claims(s), control: claims($0)) }
            let binding = outcomes.indices.max { outcomes[$0].pValue < outcomes[$1].pValue }!
            let column = zip(claims(s), claims(controlIndices[binding])).map { Double(($0 ? 1 : 0) - ($1 ? 1 : 0)) }
            let interval = PairedResampling.bootstrapIntervals(
                effects: Matrix(rows: probeCount, columns: 1, values: column.map(Float.init)),
                replicates: options.bootstrap, level: 0.95, seed: seed &+ 30, draws: options.draws)[0]
            let controlName = options.models[controlIndices[binding]]
            let family = IdentityLexicon.families[f]
            identity = HypothesisTestResult(
                name: HypothesisTestResult.selfIdentityName,
                nullHypothesis: "\(S) claims to be \(family.name) (\(family.names.prefix(4).joined(separator: ", ")), ...) on no more probes than some control does",
                alternative: "\(S) claims to be \(family.name) on more probes than every control does",
                statistic: Double(outcomes[binding].suspectOnly - outcomes[binding].controlOnly),
                pValue: outcomes.map(\.pValue).max()!,
                effect: EffectEstimate(description: "share of probes where \(S) claims \(family.name) minus the share where \(controlName) does",
                                       estimate: column.reduce(0, +) / Double(max(1, probeCount)), ciLow: interval.low, ciHigh: interval.high,
                                       level: 0.95, method: "percentile bootstrap over probes, B = \(options.bootstrap)"),
                sampleSizes: ["probes": probeCount, "controls": controlIndices.count,
                              "suspect probes with a claim": claims(s).filter { $0 }.count],
                method: "McNemar's exact test (one-sided binomial on discordant probes), intersection-union over controls; "
                    + "a name counts in a sentence about the model itself, not when the probe mentions it. Per control: "
                    + zip(controlIndices, outcomes).map { "\(options.models[$0]): \($1.suspectOnly) vs \($1.controlOnly), p = \(formatNumber($1.pValue))" }
                        .joined(separator: "; "),
                perProbe: probeEffects(column))
            // Intersection-union: p is the largest per-control p-value, so its floor is the largest
            // per-control floor 0.5^(discordant probes).
            identity!.minimumAchievablePValue = outcomes.map { pow(0.5, Double($0.suspectOnly + $0.controlOnly)) }.max()!
        } else {
            warnings.append("the maker of \(R) is not known from its name, so the self-identity test was not run; name it with --reference-family "
                + "(one of: \(IdentityLexicon.families.map(\.name).joined(separator: ", ")))")
        }

        // Combination and verdict.
        // Tarone's rule: a discrete test whose smallest achievable p-value cannot reach its Bonferroni
        // level (the identity test with few discordant probes) leaves the family, and the others share α.
        // The floors depend only on discordant counts, which swapping S with a control within a probe
        // leaves unchanged, so each test stays valid given them.
        var verdictTests = [primary.result] + (identity.map { [$0] } ?? [])
        if verdictTests[0].minimumAchievablePValue == nil { verdictTests[0].minimumAchievablePValue = 1 / Double(1 + options.replicates) }
        let tarone = MultipleTesting.tarone(verdictTests.map(\.pValue), minimumAchievable: verdictTests.map { $0.minimumAchievablePValue ?? 0 },
                                            alpha: options.alpha)
        for i in verdictTests.indices {
            verdictTests[i].usedInVerdict = true
            verdictTests[i].keptByTarone = tarone.kept[i]
            verdictTests[i].adjustedPValue = tarone.adjusted[i]
        }
        for i in context.indices { context[i].usedInVerdict = false }
        let combined = tarone.adjusted.min()!
        let familySize = tarone.familySize
        let testAlpha = options.alpha / Double(familySize)

        let (mean, sd) = meanAndStandardDeviation(primary.bindingColumn)
        let mattering = PowerAnalysis.standardizedEffectThatMatters
        let effectThatMatters = mattering * sd
        let observedStandardized = sd > 0 ? mean / sd : 0
        let target = observedStandardized > 0 && observedStandardized < mattering ? observedStandardized : mattering
        let power = PowerEstimate(
            effectThatMatters: effectThatMatters,
            power: PowerAnalysis.power(standardizedEffect: mattering, probes: probeCount, alpha: testAlpha),
            probesUsed: probeCount,
            probesNeeded: PowerAnalysis.probesNeeded(standardizedEffect: target, alpha: testAlpha),
            method: "normal approximation to the one-sided sign-flip test at α/\(familySize) = \(formatNumber(testAlpha)); the effect that matters "
                + "is \(mattering) probe-to-probe standard deviations of the primary effect (sd \(formatNumber(sd))); probes needed for 80% power "
                + (target < mattering ? "at the observed standardised effect \(formatNumber(observedStandardized))" : "at the effect that matters")
                + ". Measured on real students of known teacher and dose (results/zoo.md): a SmolLM2-135M student of 160 Qwen answers, through its claims to be made by Alibaba, "
                + "was caught in every draw of 100 probes or more and in none of 25; students of 30% and 10% of those answers were not caught at 252 probes")

        let verdict: Verdict
        let explanation: String
        if combined <= options.alpha && controlIndices.count < options.minimumControls {
            verdict = .inconclusive
            explanation = "Inconclusive: combined p = \(formatNumber(combined)) ≤ α, but against only \(controlIndices.count) control(s); at least "
                + "\(options.minimumControls) are needed, because one control cannot tell \"\(S) learnt from \(R)\" from \"\(S) and that model differ "
                + "in kind\" (e.g. a chat model against a base model). Add controls known not to be trained on \(R)'s outputs."
        } else if combined <= options.alpha {
            verdict = .evidence
            explanation = "Evidence that \(S) was trained on outputs of \(R) (or of a model that was): combined p = \(formatNumber(combined)) ≤ α = \(formatNumber(options.alpha)). "
                + "\(S) resembles \(R) more than every control does, beyond what chance over \(probeCount) probes explains. It does not prove direct training on \(R): "
                + "a model distilled from \(R)'s family or from another student of it would show the same."
        } else if probeCount >= options.minimumProbes && primary.upperBound < effectThatMatters && primary.viewsNotRuledOut.isEmpty {
            verdict = .noEvidence
            explanation = "No evidence: combined p = \(formatNumber(combined)) > α, and the upper \(Int((1 - options.alpha) * 100))% confidence bound of the primary effect "
                + "(\(formatNumber(primary.upperBound))) lies below the effect that matters (\(formatNumber(effectThatMatters))): a lean of \(S) toward \(R) "
                + "that large, beyond the controls', is ruled out at this confidence level. The study's power at that effect was "
                + "\(Int((power.power * 100).rounded()))% with \(probeCount) probes"
                + (power.power >= 0.8 ? "." : ", so the confidence bound, not the power, carries this verdict.")
        } else {
            verdict = .inconclusive
            let reason = primary.upperBound >= effectThatMatters
                ? "upper confidence bound \(formatNumber(primary.upperBound)) ≥ \(formatNumber(effectThatMatters))"
                : "not in the \(primary.viewsNotRuledOut.joined(separator: ", ")) view\(primary.viewsNotRuledOut.count > 1 ? "s" : ""), "
                    + "whose upper confidence bound reaches \(PowerAnalysis.standardizedEffectThatMatters) of its standard deviation"
            explanation = "Inconclusive: combined p = \(formatNumber(combined)) > α, but the data cannot rule out an effect that matters "
                + "(\(reason)"
                + (probeCount < options.minimumProbes ? "; only \(probeCount) probes, fewer than \(options.minimumProbes)" : "")
                + "). About \(power.probesNeeded.map(String.init) ?? "?") probes would be needed. Absence of evidence, not evidence of absence."
        }

        let diagnostics = controlDiagnostics(data: data, raw: raw, options: options, s: s, sides: sides, controls: controlIndices,
                                             binding: primary.bindingControl)
        if controlIndices.count < options.minimumControls {
            warnings.append("only \(controlIndices.count) control(s): at least \(options.minimumControls) are needed for the verdict evidence")
        }
        if probeCount < options.minimumProbes {
            warnings.append("only \(probeCount) probes are answered by every model named; at least \(options.minimumProbes) are needed for a verdict other than inconclusive")
        }

        var result = AttributionResult(
            question: "Was \(S) trained on outputs of \(options.references.joined(separator: " or "))?", suspect: S, reference: options.reference, controls: options.controls,
            verdict: verdict, verdictExplanation: explanation, alpha: options.alpha, pValue: combined,
            combination: "Tarone's Bonferroni for discrete tests over \(verdictTests.map(\.name).joined(separator: " and ")): family size K = \(familySize), "
                + "kept \(zip(verdictTests, tarone.kept).filter { $0.1 }.map(\.0.name).joined(separator: " and "))"
                + (tarone.kept.contains(false) ? "; left out (smallest achievable p > α/K): \(zip(verdictTests, tarone.kept).filter { !$0.1 }.map(\.0.name).joined(separator: " and "))" : "")
                + "; valid under any dependence",
            effect: primary.result.effect!, probes: probeCount, samples: data.samples, tests: verdictTests + context, power: power,
            controlDiagnostics: diagnostics, warnings: warnings, similarity: raw.meanSimilarity, probeSets: catalog.probeSets,
            cleaning: data.cleaning,
            reproducibility: Reproducibility(command: command, seed: seed, store: store, configuration: [
                "alpha": formatNumber(options.alpha), "replicates": String(options.replicates), "bootstrap": String(options.bootstrap),
                "length adjustment": options.adjustForLength ? "on" : "off", "fingerprint weights": options.weights.description,
                "effect that matters (sd)": String(mattering), "minimum probes": String(options.minimumProbes),
                "minimum controls": String(options.minimumControls),
                "reference family": familyName ?? "unknown",
            ]))
        result.references = options.references
        result.alternativeReference = options.alternativeReferences.first
        result.alternativeReferences = options.alternativeReferences.isEmpty ? nil : options.alternativeReferences
        result.lengthExplainedVariance = adjustment?.explainedVariance
        return result
    }

    /// Notes on controls that look unsuitable: one that leans toward R more than the other controls
    /// (it may itself be trained on R's outputs, and caps the power for every suspect), one nearly
    /// identical to the suspect, and the one the verdict's p-value comes from.
    static func controlDiagnostics(data: ProbeSimilarities, raw: ProbeSimilarities, options: AttributionOptions, s: Int, sides: ReferenceSides,
                                   controls: [Int], binding: Int) -> [String: String] {
        var notes: [String: String] = [:]
        let probeCount = data.probes.count
        func lean(_ c: Int, _ p: Int) -> Float { sides.lean(data.similarities[p], c) }
        // Each control's lean minus the mean lean of the others, one column per control, tested in one
        // sign-flip product (the same signs for every column, as in the primary test).
        var leanOutcome: PairedResampling.SignFlipOutcome?
        if controls.count > 1 {
            var e = Matrix(rows: probeCount, columns: controls.count)
            for p in 0..<probeCount {
                for (k, c) in controls.enumerated() {
                    let others = controls.filter { $0 != c }.map { lean($0, p) }.reduce(0, +) / Float(controls.count - 1)
                    e[p, k] = lean(c, p) - others
                }
            }
            leanOutcome = PairedResampling.signFlip(effects: e, replicates: 1_999, seed: options.seed &+ 100)
        }
        for (k, c) in controls.enumerated() {
            var parts: [String] = []
            if let outcome = leanOutcome, outcome.pValues[k] <= options.alpha {
                parts.append("leans toward \(options.referenceLabel) more than the other controls do (mean \(formatNumber(outcome.observed[k])), "
                    + "p = \(formatNumber(outcome.pValues[k]))): it may itself be trained on \(options.referenceLabel)'s outputs, which hides such training "
                    + "in the suspect and caps the power for every suspect; consider replacing it")
            }
            let closeness = raw.series(s, c).reduce(0, +) / Double(max(1, probeCount))
            if closeness > 0.9 {
                parts.append("nearly identical to the suspect (mean similarity \(formatNumber(closeness))): the same model, or a fine-tune of it?")
            }
            if c == binding {
                parts.append("binding control: the primary test's p-value comes from the comparison with this control")
            }
            if !parts.isEmpty { notes[options.models[c]] = parts.joined(separator: "; ") }
        }
        return notes
    }
}

/// Where the reference and the alternative sit among a study's models. With several references the
/// similarity to the reference side is the mean over them (likewise the alternative side): each
/// reference's answer is one noisy sample of its family's behaviour, and one test on the mean pays no
/// multiplicity price for naming the family's models.
struct ReferenceSides: Sendable {
    var references: [Int]
    var alternatives: [Int]

    /// Model x's mean similarity to the references in one probe's matrix.
    func toward(_ m: Matrix, _ x: Int) -> Float { Self.mean(m, x, references) }

    /// x's lean toward the references, relative to the alternatives (x's similarity to the references
    /// alone when there is no alternative).
    func lean(_ m: Matrix, _ x: Int) -> Float {
        alternatives.isEmpty ? toward(m, x) : toward(m, x) - Self.mean(m, x, alternatives)
    }

    static func mean(_ m: Matrix, _ x: Int, _ columns: [Int]) -> Float {
        columns.reduce(Float(0)) { $0 + m[x, $1] } / Float(columns.count)
    }
}

/// The mean and the sample standard deviation (n − 1) of per-probe effects; 0 and 0 for none.
func meanAndStandardDeviation(_ values: [Double]) -> (mean: Double, sd: Double) {
    let mean = values.reduce(0, +) / Double(max(1, values.count))
    return (mean, (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count - 1))).squareRoot())
}

/// A number as results and summaries print it: 4 significant digits, scientific below 0.001.
func formatNumber(_ value: Double) -> String {
    if value == 0 { return "0" }
    if abs(value) < 0.001 { return String(format: "%.2e", value) }
    return String(format: "%.4g", value)
}
