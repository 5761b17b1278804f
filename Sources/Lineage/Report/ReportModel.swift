import Foundation

/// What every report format shows, gathered once from any `ReportSubject`, so that Markdown and
/// HTML say the same things in the same order.
struct ReportModel {
    var title: String
    var question: String
    var verdict: Verdict?
    var alpha: Double?
    /// The result's own explanation first, then what the verdict does and does not mean.
    var verdictMeaning: [String]
    /// One paragraph in plain words: what was tested, against which controls, what the result does and does not mean.
    var plainWords: String = ""

    /// The study's own reason for its verdict (shown under the plain words), and the method's text for the appendix.
    var why: String? { verdict == nil ? nil : verdictMeaning.first.flatMap { $0.isEmpty ? nil : $0 } }
    var methodParagraphs: [String] { (verdict == nil ? verdictMeaning : Array(verdictMeaning.dropFirst())).filter { !$0.isEmpty } }
    var summary: [(String, String)]
    var tests: [HypothesisTestResult]
    var overallEffect: EffectEstimate?
    var power: PowerEstimate?
    var controls: [(model: String, note: String?)]
    var probes: Int
    var samples: [String: Int]
    var probeSets: [ProbeSetUsage]
    var highlights: [ProbeHighlight]
    var warnings: [String]
    var dataQuality: DataQuality?
    var cleaning: [String: Int]
    var similarity: SimilarityMatrix?
    var tree: LineageTree?
    var newick: String?
    var distance: String?
    var reproducibility: Reproducibility
    var manifest: ReportManifest?

    static let controlsWhy = """
        Controls are models believed not to be trained on the reference's outputs. Almost every \
        chat model resembles a popular reference such as ChatGPT — models trained only on human-written \
        data included — so closeness to the reference proves nothing by itself. The tests ask whether the \
        suspect is closer to (or leans further toward) the reference than the controls do; a control that \
        itself leans toward the reference makes the test harder to pass and is flagged here.
        """

    init(_ subject: ReportSubject, manifest: ReportManifest?) {
        self.manifest = manifest
        cleaning = [:]
        controls = []
        tree = nil
        newick = nil
        distance = nil
        switch subject {
        case .attribution(let r):
            title = "Attribution: \(r.suspect) ← \(r.reference)"
            question = r.question
            verdict = r.verdict
            alpha = r.alpha
            verdictMeaning = [r.verdictExplanation, Self.meaning(of: r.verdict, alpha: r.alpha, power: r.power,
                                                                   rejects: "the suspect's answers are closer to the reference's than the controls explain",
                                                                   caveat: "It does not by itself prove that the suspect was trained on the reference's outputs: shared training data, a common ancestor or deliberate imitation can leave the same traces, and the size of the effect says nothing about how much data was used.")]
            summary = [("suspect", r.suspect), ("reference", r.namedReferences.joined(separator: ", ")),
                       ("alternative reference", r.namedAlternativeReferences.isEmpty ? "none" : r.namedAlternativeReferences.joined(separator: ", ")), ("controls", r.controls.joined(separator: ", ")),
                       ("verdict", r.verdict.rawValue), ("α", Format.number(r.alpha)),
                       ("combined p-value", Format.p(r.pValue)), ("combination", r.combination),
                       ("effect", Format.interval(r.effect)), ("probes", String(r.probes))]
            tests = r.tests
            overallEffect = r.effect
            power = r.power
            if let fit = r.panelFit {
                let capped = r.verdict == .evidence
                    ? "not bracketed, but evidence stands (\(fit.capabilityClause)): "
                    : "not bracketed, so no-evidence is out of reach" + (fit.evidenceSafe ? "" : ", and so is evidence (\(fit.capabilityClause))") + ": "
                summary.append(("panel fit in kind", (fit.brackets ? "" : capped) + fit.explanation))
            }
            if let panel = r.panel {
                let chosen = panel.members.filter { $0.chosenBy == "lineage" }.count
                summary.append(("panel", chosen == 0 ? "every model named by the user"
                    : "\(chosen) model\(chosen == 1 ? "" : "s") chosen by Lineage from the store's annotations (reasons under Controls and in result.json)"))
                for m in panel.members where m.role == .reference || m.role == .alternativeReference {
                    summary.append(("\(m.role.rawValue) \(m.model)", [m.annotation?.summary ?? "not annotated", m.chosenBy == "lineage" ? m.reason : "named by the user"]
                        .joined(separator: "; ")))
                }
            }
            for rate in r.measuredErrorRates ?? [] {
                summary.append(("measured error rates", rate.summary + " (" + rate.source + ")"))
            }
            let members = Dictionary((r.panel?.members ?? []).map { ($0.model, $0) }, uniquingKeysWith: { a, _ in a })
            controls = r.controls.map { c in
                let member = members[c]
                let parts = [member.map { ($0.annotation?.summary ?? "not annotated") + ($0.chosenBy == "lineage" ? " — chosen: " + $0.reason : "") },
                             r.controlDiagnostics[c]].compactMap { $0 }
                return (c, parts.isEmpty ? nil : parts.joined(separator: "; "))
            }
            probes = r.probes
            samples = r.samples
            probeSets = r.probeSets
            highlights = r.highlights ?? []
            warnings = r.warnings
            dataQuality = r.dataQuality
            cleaning = r.cleaning
            similarity = r.similarity
            if let matrix = r.similarity, let tree = Self.tree(from: matrix) {
                self.tree = tree
                similarity = Self.reordered(matrix, as: tree.leafNames)
                distance = "1 − the similarity shown in the heatmap (no bootstrap)"
            }
            reproducibility = r.reproducibility
            let alternative = r.namedAlternativeReferences.isEmpty ? ""
                : ", corrected for how much every model leans toward \(r.namedReferences.joined(separator: " or ")) rather than \(r.namedAlternativeReferences.joined(separator: " or "))"
            plainWords = Self.plainWords(
                tested: "Lineage asked whether \(r.suspect) was trained on outputs of \(r.namedReferences.joined(separator: " or ")). It compared the answers of \(r.suspect) "
                    + "to \(r.probes) probes with those of \(r.namedReferences.joined(separator: " or ")), and asked whether \(r.suspect) is closer to them than "
                    + "\(r.controls.count) control model\(r.controls.count == 1 ? "" : "s") (\(r.controls.joined(separator: ", "))), models believed not to be trained on its outputs, are\(alternative).",
                verdict: r.verdict, alpha: r.alpha, pValue: r.pValue, test: r.tests.first, effect: r.effect, power: r.power,
                means: "\(r.suspect)'s answers are closer to \(r.reference)'s than the controls explain",
                caveat: "proof that \(r.suspect) was trained on \(r.reference)'s outputs: shared training data, a common ancestor or deliberate imitation leave the same traces, and the size of the effect says nothing about how much data was used")
        case .equality(let r):
            title = "Equality: \(r.modelA) vs \(r.modelB)"
            question = r.question
            verdict = r.verdict
            alpha = r.alpha
            verdictMeaning = [r.verdictExplanation, Self.meaning(of: r.verdict, alpha: r.alpha, power: r.power,
                                                                   rejects: "the two answer the same prompts differently, beyond what sampling explains",
                                                                   caveat: "A difference does not say which change caused it (weights, system prompt, decoding settings, quantisation); no difference does not prove the two are the same model, only that these probes could not tell them apart.")]
            summary = [("model A", r.modelA), ("model B", r.modelB), ("verdict", r.verdict.rawValue),
                       ("α", Format.number(r.alpha)), ("p-value", Format.p(r.pValue)), ("probes", String(r.probes))]
            if let effect = r.test.effect { summary.append(("effect", Format.interval(effect))) }
            tests = [r.test]
            overallEffect = r.test.effect
            power = r.power
            probes = r.probes
            samples = r.samples
            probeSets = r.probeSets
            highlights = r.highlights ?? []
            warnings = r.warnings
            dataQuality = r.dataQuality
            similarity = nil
            reproducibility = r.reproducibility
            plainWords = Self.plainWords(
                tested: "Lineage asked whether \(r.modelA) and \(r.modelB) serve the same model. It compared their completions of the same "
                    + "\(r.test.sampleSizes["prompts"] ?? r.probes) prompts (\(r.probes) probes) with a string kernel (an MMD two-sample test); no control models "
                    + "are needed, because each model's repeated samples of a prompt show how much its answers vary by chance.",
                verdict: r.verdict, alpha: r.alpha, pValue: r.pValue, test: r.test, effect: r.test.effect, power: r.power,
                means: "the two answer the same prompts differently, beyond what sampling explains",
                caveat: r.verdict == .evidence ? "a statement of which change caused the difference (weights, system prompt, decoding settings, quantisation)"
                    : "proof that the two are the same model: only that these prompts and samples could not tell them apart")
        case .comparison(let r):
            title = "Comparison of \(r.models.count) models"
            question = r.question
            verdict = nil
            alpha = nil
            verdictMeaning = ["""
                A lineage tree groups models whose answers are alike. Branches close together mean \
                similar answering behaviour under the distance named below, not proven descent: models \
                distilled from the same teacher, fine-tuned from the same base, or trained on the same \
                public data can all end up near each other. Bootstrap support (the share of trees, \
                rebuilt on probes drawn with replacement, that have the same branch) says how stable a \
                grouping is, not whether it is a lineage; test a lineage with \"lineage attribute\" and controls.
                """]
            summary = [("models", String(r.models.count)), ("distance", r.distance), ("tree", r.tree.method),
                       ("bootstrap replicates", String(r.bootstrapReplicates)), ("probes", String(r.probes))]
            tests = []
            overallEffect = nil
            power = nil
            probes = r.probes
            samples = r.samples
            probeSets = r.probeSets
            highlights = []
            warnings = r.warnings
            dataQuality = r.dataQuality
            similarity = Self.reordered(r.similarity, as: r.tree.leafNames)
            tree = r.tree
            newick = r.newick
            distance = r.distance
            reproducibility = r.reproducibility
            plainWords = "Lineage compared the answers of \(r.models.count) models to \(r.probes) probes and grouped the models whose answers are alike "
                + "into a tree (\(r.tree.method)). What it means: models on nearby branches answer alike under the distance named below. "
                + "What it does not mean: proof of descent. Models distilled from the same teacher, fine-tuned from the same base or trained on the "
                + "same public data all end up near each other; test a lineage with \"lineage attribute\" and controls."
        case .servedSample(let r):
            title = "Served-sample test: \(r.suspect) ← answers served by \(r.snapshot)"
            question = r.question
            verdict = r.verdict
            alpha = r.alpha
            verdictMeaning = [r.verdictExplanation, Self.meaning(of: r.verdict, alpha: r.alpha, power: nil,
                                                                   rejects: "the suspect's answers resemble the very answers that were served more than fresh answers of the same snapshot",
                                                                   caveat: "It needs no control models: under the null the served answer is just one more sample of the same model. It does not say how many served answers the suspect saw, and a suspect that learnt only from other samples of the same model is the null, not the alternative."),
                              "Assumptions: " + r.assumptions.joined(separator: " ")]
            summary = [("suspect", r.suspect), ("served answers", "\(r.served) (snapshot \(r.snapshot))"), ("fresh samples", r.fresh),
                       ("verdict", r.verdict.rawValue), ("α", Format.number(r.alpha)),
                       ("p-value", Format.p(r.pValue) + " (\(r.pValueMethod))"), ("effect", Format.interval(r.test.effect!)),
                       ("served answer closest", "\(r.servedMostSimilar) of \(r.probes) prompts"), ("prompts", String(r.probes))]
            tests = [r.test]
            overallEffect = r.test.effect
            power = nil
            probes = r.probes
            samples = r.samples
            probeSets = r.probeSets
            highlights = r.highlights ?? []
            warnings = r.warnings
            dataQuality = r.dataQuality
            similarity = nil
            reproducibility = r.reproducibility
            plainWords = Self.plainWords(
                tested: "Lineage asked whether \(r.suspect) learnt from answers that \(r.snapshot) served. For \(r.probes) prompts it ranked the served answer's "
                    + "similarity to \(r.suspect)'s answer among fresh answers of the same snapshot; no control models are needed.",
                verdict: r.verdict, alpha: r.alpha, pValue: r.pValue, test: r.test, effect: r.test.effect, power: nil,
                means: "the suspect's answers resemble the very answers that were served more than fresh answers of the same snapshot",
                caveat: "a count of how many served answers the suspect saw")
        case .radioactivity(let r):
            title = "Canary radioactivity test: \(r.suspect) (key \(r.keyFingerprint))"
            question = r.question
            verdict = r.verdict
            alpha = r.alpha
            verdictMeaning = [r.verdictExplanation, Self.meaning(of: r.verdict, alpha: r.alpha, power: nil,
                                                                   rejects: "the suspect's choices among equivalent forms follow the secret key more often than random keys explain",
                                                                   caveat: "Only canaried answers carry the key, so evidence means the suspect learnt (directly or through another model) from answers canaried with this key; it does not say how many."),
                              "Assumptions: " + r.assumptions.joined(separator: " ")]
            summary = [("suspect", r.suspect), ("key fingerprint", r.keyFingerprint), ("verdict", r.verdict.rawValue),
                       ("α", Format.number(r.alpha)), ("p-value", Format.p(r.pValue) + " (random keys)"),
                       ("binomial p-value", Format.p(r.binomialPValue)), ("agreements", "\(r.agreements) of \(r.units) units"),
                       ("spots", String(r.spots)), ("effect", Format.interval(r.test.effect!)),
                       ("units per kind", r.unitsPerKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))]
            tests = [r.test]
            overallEffect = r.test.effect
            power = nil
            probes = r.probes
            samples = r.samples
            probeSets = r.probeSets
            highlights = []
            warnings = r.warnings
            dataQuality = r.dataQuality
            similarity = nil
            reproducibility = r.reproducibility
            plainWords = Self.plainWords(
                tested: "Lineage asked whether \(r.suspect) learnt from answers canaried with the key \(r.keyFingerprint). It counted how often \(r.suspect)'s "
                    + "choices among equivalent forms follow that key, at \(r.units) units, against random keys; no control models are needed.",
                verdict: r.verdict, alpha: r.alpha, pValue: r.pValue, test: r.test, effect: r.test.effect, power: nil,
                means: "the suspect's choices follow the secret key more often than random keys explain",
                caveat: "a count of how many canaried answers it saw")
        }
    }

    /// The page's opening paragraph: what was tested, the result with its p-value (and its floor), the effect, and what it means.
    static func plainWords(tested: String, verdict: Verdict, alpha: Double, pValue: Double, test: HypothesisTestResult?,
                           effect: EffectEstimate?, power: PowerEstimate?, means: String, caveat: String) -> String {
        var floor = ""
        if let test, test.pValueIsOnFloor {
            floor = test.replicates.map { ", the smallest p-value \($0) replicates allow" } ?? ", the smallest p-value this test allows"
        }
        let effectText = effect.map { " The effect: \(Format.interval($0))." } ?? ""
        let result: String
        switch verdict {
        case .evidence:
            result = "Result: evidence (p = \(Format.p(pValue))\(floor), at most α = \(Format.number(alpha))).\(effectText) What it means: \(means), "
                + "and a result this strong happens by chance at most \(Format.number(alpha * 100))% of the time."
        case .noEvidence:
            result = "Result: no evidence (p = \(Format.p(pValue)) > α = \(Format.number(alpha))).\(effectText) What it means: these data show no sign that \(means)"
                + (power.map { ", and an effect of \(Format.number($0.effectThatMatters)) or more is ruled out by the effect's confidence bound" } ?? "") + "."
        case .inconclusive:
            result = "Result: inconclusive (p = \(Format.p(pValue))).\(effectText) What it means: this study can neither show nor rule out that \(means); "
                + "why, and what would decide it, is said just below."
        }
        return tested + " " + result + " What it does not mean: " + caveat + "."
    }

    static func meaning(of verdict: Verdict, alpha: Double, power: PowerEstimate?, rejects: String, caveat: String) -> String {
        switch verdict {
        case .evidence:
            return "Evidence: the null hypothesis was rejected at α = \(Format.number(alpha)) — \(rejects). The chance of a verdict this strong when the null hypothesis holds is at most α. \(caveat)"
        case .noEvidence:
            // One power figure, and the sentence about it follows from it.
            let powerText = power.map { p in
                let percent = Int((p.power * 100).rounded())
                return p.power >= 0.8
                    ? " The study had \(percent)% power to detect an effect of \(Format.number(p.effectThatMatters)), so it would very likely have shown one that large."
                    : " The study's power to detect an effect of \(Format.number(p.effectThatMatters)) was only \(percent)%: the verdict rests on the confidence bound, which lies below that effect, not on power."
            } ?? ""
            return "No evidence: the null hypothesis was not rejected at α = \(Format.number(alpha)), and the effect's confidence bound rules out an effect that matters.\(powerText) It does not rule out an effect smaller than that. \(caveat)"
        case .inconclusive:
            var text = "Inconclusive: the null hypothesis was not rejected at α = \(Format.number(alpha)), but there were too few probes or samples to detect the effect sizes that matter — absence of evidence, not evidence of absence."
            if let power {
                text += " Power now: \(Int((power.power * 100).rounded()))% for an effect of \(Format.number(power.effectThatMatters)) with \(power.probesUsed) probes"
                text += power.probesNeeded.map { "; about \($0) probes would be needed for 80%." } ?? "."
            }
            return text
        }
    }

    /// A neighbour-joining tree of three or more models from their similarities (distance 1 − s).
    static func tree(from matrix: SimilarityMatrix) -> LineageTree? {
        let count = matrix.models.count
        guard count >= 3, matrix.values.count == count, matrix.values.allSatisfy({ $0.count == count }) else { return nil }
        let distances = (0..<count).map { i in (0..<count).map { j in i == j ? 0 : 1 - matrix.values[i][j] } }
        return TreeBuilder.tree(DistanceMatrix(names: matrix.models, values: distances))
    }

    /// The matrix with its models in `order` (e.g. the tree's leaves, so that clades show as blocks).
    static func reordered(_ matrix: SimilarityMatrix, as order: [String]) -> SimilarityMatrix {
        let index = Dictionary(uniqueKeysWithValues: matrix.models.enumerated().map { ($1, $0) })
        let positions = order.compactMap { index[$0] }
        guard positions.count == matrix.models.count else { return matrix }
        return SimilarityMatrix(models: positions.map { matrix.models[$0] },
                                values: positions.map { i in positions.map { matrix.values[i][$0] } })
    }

    /// The tests' null distributions worth drawing.
    var nullDistributions: [(test: HypothesisTestResult, values: [Double])] {
        tests.compactMap { test in test.nullDistribution.flatMap { $0.isEmpty ? nil : (test, $0) } }
    }

    /// The most positive and the most negative per-probe effects (at most `count` each, no probe in both).
    func extremes(count: Int = 5) -> (positive: [ProbeEffect], negative: [ProbeEffect]) {
        guard let effects = perProbe?.effects else { return ([], []) }
        let sorted = effects.sorted { ($0.effect, $1.probeID) > ($1.effect, $0.probeID) }
        let top = Array(sorted.prefix(min(count, (sorted.count + 1) / 2)))
        let bottom = Array(sorted.reversed().prefix(min(count, sorted.count - top.count)))
        return (top, bottom)
    }

    /// The per-probe effects of the first test that has them.
    var perProbe: (test: HypothesisTestResult, effects: [ProbeEffect])? {
        tests.lazy.compactMap { test in test.perProbe.flatMap { $0.isEmpty ? nil : (test, $0) } }.first
    }

    var reproducibilityRows: [(String, String)] {
        var rows = [("command", reproducibility.command), ("tool version", reproducibility.toolVersion),
                    ("BLAS", reproducibility.blas + (reproducibility.blasCoreType.map { " (core type \($0))" } ?? "")),
                    ("seed", String(reproducibility.seed)), ("store", reproducibility.store),
                    ("created", Format.date(reproducibility.createdAt))]
        for (key, value) in reproducibility.configuration.sorted(by: { $0.key < $1.key }) { rows.append(("config: \(key)", value)) }
        for test in tests {
            if let seed = test.seed { rows.append(("seed: \(test.name)", "\(seed)" + (test.replicates.map { ", \($0) replicates" } ?? ""))) }
        }
        return rows
    }
}

extension ReportModel {
    /// A test's method, with its replicates unless the method names them already (no "B = 999, B = 999").
    static func methodText(_ test: HypothesisTestResult) -> String {
        guard let replicates = test.replicates, !test.method.contains("B = \(replicates)") else { return test.method }
        return test.method + ", B = \(replicates)"
    }

    /// A test's p-value floor for the tests table, marked when the p-value sits on it.
    static func floorCell(_ test: HypothesisTestResult) -> String {
        guard let floor = test.pValueFloor else { return "–" }
        return Format.p(floor) + (test.pValueIsOnFloor ? " (p sits on it)" : "")
    }

    /// What the tests table's floor column means, and a sentence for each p-value on its floor.
    static func floorSentences(_ tests: [HypothesisTestResult]) -> [String] {
        var sentences = ["The p-value floor is the smallest p-value a test could give: 1/(1 + B) for a resampling test with B replicates, "
                         + "or the floor of a discrete test. A test can reject at a level only if its floor is at or below that level."]
        for test in tests where test.pValueIsOnFloor {
            sentences.append("The p-value of \(test.name), \(Format.p(test.pValue)), sits on its floor: no smaller p-value was possible, "
                             + "so the data may be stronger evidence than it says; more replicates (or probes) would tell how much.")
        }
        return sentences
    }
}
