import Foundation

/// The answer to "was S trained on R's outputs?", with everything a report needs to explain it.
///
/// Its JSON (through `LineageJSON`) is the `--json` output of `lineage attribute` and the
/// `result.json` of a report folder: schema `lineage.attribution/v1`. Fields may be added in a
/// later version; none is renamed or removed without a new schema name.
public struct AttributionResult: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.attribution/v1"

    public var schema: String = AttributionResult.schemaName
    public var question: String
    public var suspect: String
    public var reference: String
    public var controls: [String]
    public var verdict: Verdict
    /// What the verdict does and does not mean, in plain words.
    public var verdictExplanation: String
    public var alpha: Double
    /// The combined p-value the verdict rests on.
    public var pValue: Double
    /// How the tests' p-values were combined (a rule valid under dependence).
    public var combination: String
    public var effect: EffectEstimate
    /// Probes answered by every model named, and used.
    public var probes: Int
    /// Responses used, per model.
    public var samples: [String: Int]
    public var tests: [HypothesisTestResult]
    public var power: PowerEstimate?
    /// Per control: a note when a control looks unsuitable (e.g. it leans toward R itself).
    public var controlDiagnostics: [String: String]
    public var warnings: [String]
    public var similarity: SimilarityMatrix?
    public var probeSets: [ProbeSetUsage]
    /// What cleaning removed before featurising, e.g. ["probe echo": 12, "chat-template leftover": 3].
    public var cleaning: [String: Int]
    public var reproducibility: Reproducibility
    /// The model of another family the difference-in-differences test measures the lean against (the
    /// first, when several are named).
    public var alternativeReference: String?
    /// Every alternative reference named: the lean is measured against their mean similarity.
    public var alternativeReferences: [String]? = nil

    /// Every reference named, also in results written before `references` was kept.
    public var namedReferences: [String] { references ?? [reference] }
    /// Every alternative reference named (none: no difference-in-differences test).
    public var namedAlternativeReferences: [String] { alternativeReferences ?? alternativeReference.map { [$0] } ?? [] }
    /// Share of the within-probe variance of pairwise similarity that answer length explained (and
    /// that was removed before testing); nil when the length adjustment was off.
    public var lengthExplainedVariance: Double?
    /// Every reference named (`reference` is the first): with several, the suspect is tested against
    /// each and the tests are combined (`AttributionStudy.combine`), or, with `--reference-mean`, the
    /// tests use the mean similarity to them.
    public var references: [String]? = nil

    // Added for reports (issue 5); filled in by `ReportWriter` when the analysis leaves them nil.
    /// The probes that weigh most, with the answers side by side.
    public var highlights: [ProbeHighlight]? = nil
    /// Failed, empty and truncated responses per model.
    public var dataQuality: DataQuality? = nil
    /// The root hash of the report's manifest, when the result was written as a report
    /// (`lineage verify` checks it against the manifest and the store).
    public var rootHash: String? = nil

    // Added for attribution on annotated stores (issue 11).
    /// How the panel was chosen: each model's role, whether the user named it or Lineage chose it, why,
    /// and what the store knows about it.
    public var panel: StudyPanel? = nil
    /// Whether the controls bracket the suspect in kind (answer length, formatting, consensus).
    public var panelFit: PanelFit? = nil
    /// The method's measured error rates on labelled real data, printed beside the verdict.
    public var measuredErrorRates: [MeasuredErrorRate]? = nil

    public init(question: String, suspect: String, reference: String, controls: [String], verdict: Verdict,
                verdictExplanation: String, alpha: Double, pValue: Double, combination: String,
                effect: EffectEstimate, probes: Int, samples: [String: Int], tests: [HypothesisTestResult],
                power: PowerEstimate?, controlDiagnostics: [String: String], warnings: [String],
                similarity: SimilarityMatrix?, probeSets: [ProbeSetUsage], cleaning: [String: Int],
                reproducibility: Reproducibility) {
        self.question = question
        self.suspect = suspect
        self.reference = reference
        self.controls = controls
        self.verdict = verdict
        self.verdictExplanation = verdictExplanation
        self.alpha = alpha
        self.pValue = pValue
        self.combination = combination
        self.effect = effect
        self.probes = probes
        self.samples = samples
        self.tests = tests
        self.power = power
        self.controlDiagnostics = controlDiagnostics
        self.warnings = warnings
        self.similarity = similarity
        self.probeSets = probeSets
        self.cleaning = cleaning
        self.reproducibility = reproducibility
    }
}

/// The answer to "do A and B serve the same model?" (`lineage equality`): schema `lineage.equality/v1`.
public struct EqualityResult: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.equality/v1"

    public var schema: String = EqualityResult.schemaName
    public var question: String
    public var modelA: String
    public var modelB: String
    public var verdict: Verdict
    public var verdictExplanation: String
    public var alpha: Double
    public var pValue: Double
    public var test: HypothesisTestResult
    public var probes: Int
    public var samples: [String: Int]
    public var power: PowerEstimate?
    public var warnings: [String]
    public var probeSets: [ProbeSetUsage]
    public var reproducibility: Reproducibility

    // Added for reports (issue 5); filled in by `ReportWriter` when the analysis leaves them nil.
    /// The probes that weigh most, with the answers side by side.
    public var highlights: [ProbeHighlight]? = nil
    /// Failed, empty and truncated responses per model.
    public var dataQuality: DataQuality? = nil
    /// The root hash of the report's manifest, when the result was written as a report
    /// (`lineage verify` checks it against the manifest and the store).
    public var rootHash: String? = nil

    public init(question: String, modelA: String, modelB: String, verdict: Verdict, verdictExplanation: String,
                alpha: Double, pValue: Double, test: HypothesisTestResult, probes: Int, samples: [String: Int],
                power: PowerEstimate?, warnings: [String], probeSets: [ProbeSetUsage], reproducibility: Reproducibility) {
        self.question = question
        self.modelA = modelA
        self.modelB = modelB
        self.verdict = verdict
        self.verdictExplanation = verdictExplanation
        self.alpha = alpha
        self.pValue = pValue
        self.test = test
        self.probes = probes
        self.samples = samples
        self.power = power
        self.warnings = warnings
        self.probeSets = probeSets
        self.reproducibility = reproducibility
    }
}

extension AttributionResult {
    /// The result without its tests' per-probe effects and null samples: what a batch of many
    /// studies prints, whose readers want verdicts, p-values and effects, not 800 rows per test.
    public func withoutProbeDetail() -> AttributionResult {
        var out = self
        for i in out.tests.indices {
            out.tests[i].perProbe = nil
            out.tests[i].nullDistribution = nil
        }
        return out
    }
}
