import Foundation

/// Plans attribution studies over one store: reads the responses of the models named and of every
/// annotated model once, profiles them in kind, builds each study's panel (`PanelBuilder`) and
/// measures its fit (`PanelFit`).
public struct StudyPlanner: Sendable {
    public let annotations: [String: ModelAnnotation]
    /// Every successful response of the pool: the models named and every annotated model in the store.
    public let responses: [StoredResponse]
    private let probesByModel: [String: Set<Int64>]

    public init(store: ResponseStore, models: [String]) throws {
        annotations = try store.annotations()
        let known = Set(try store.modelNames())
        let pool = Array(Set(models).union(annotations.keys.filter { known.contains($0) })).sorted()
        responses = try store.responses(models: pool, features: true)
        var probes: [String: Set<Int64>] = [:]
        for response in responses { probes[response.model, default: []].insert(response.probeID) }
        probesByModel = probes
    }

    public init(annotations: [String: ModelAnnotation], responses: [StoredResponse]) {
        self.annotations = annotations
        self.responses = responses
        var probes: [String: Set<Int64>] = [:]
        for response in responses { probes[response.model, default: []].insert(response.probeID) }
        probesByModel = probes
    }

    public var models: [String] { probesByModel.keys.sorted() }

    /// The probes every one of `models` answered.
    public func commonProbes(_ models: [String]) -> Set<Int64> {
        guard let first = models.first else { return [] }
        return models.dropFirst().reduce(probesByModel[first] ?? []) { $0.intersection(probesByModel[$1] ?? []) }
    }

    /// The maker a reference stands for: stated, annotated, or inferred from its name.
    public func maker(ofReference reference: String, stated: String? = nil) -> String? {
        Self.maker(ofReference: reference, annotations: annotations, stated: stated)
    }

    public static func maker(ofReference reference: String, annotations: [String: ModelAnnotation], stated: String? = nil) -> String? {
        stated ?? annotations[reference]?.maker ?? annotations[reference]?.lineageMaker ?? IdentityLexicon.family(ofModelNamed: reference)?.name
    }

    /// Every model of the pool profiled in kind on the suspect's probes; the consensus leaves out the
    /// models of the reference's maker, so that leaning toward the reference does not read as capability.
    public func kinds(suspect: String, referenceMaker: String?) -> [String: ModelKind] {
        let probes = probesByModel[suspect] ?? []
        let consensus = models.filter { model in
            guard let lineage = annotations[model]?.lineageMaker ?? IdentityLexicon.family(ofModelNamed: model)?.name else { return true }
            return lineage.lowercased() != referenceMaker?.lowercased()
        }
        return Dictionary(uniqueKeysWithValues: ModelKindProfiler.profile(responses, models: models, consensusModels: consensus, onProbes: probes).map { ($0.model, $0) })
    }

    public struct Plan: Sendable {
        public var panel: StudyPanel
        public var kinds: [String: ModelKind]
        public var fit: PanelFit?
        public var referenceMaker: String?
    }

    /// The panel for one question; `kinds` may be passed in when several suspects share a probe set.
    public func plan(suspect: String, references: [String], alternativeReferences: [String] = [], controls: [String] = [],
                     builder: PanelBuilder = PanelBuilder(), referenceFamily: String? = nil,
                     kinds precomputed: [String: ModelKind]? = nil, capabilityBothSides: Bool = false) throws -> Plan {
        guard let first = references.first else {
            throw FingerprintError(description: "no reference: name the model the suspect may have learnt from with --reference")
        }
        let maker = maker(ofReference: first, stated: referenceFamily)
        let kinds = precomputed ?? kinds(suspect: suspect, referenceMaker: maker)
        let panel = try builder.build(suspect: suspect, references: references, alternativeReferences: alternativeReferences,
                                      controls: controls, annotations: annotations, kinds: kinds, referenceMaker: referenceFamily)
        if panel.controls.isEmpty {
            throw FingerprintError(description: "no control model: name at least one with --control (a model known not to be trained on "
                + "\(first)'s outputs), or annotate the store's models with `lineage models annotate` so that Lineage can choose them")
        }
        let fit = kinds[suspect].map { PanelFit.assess(suspect: $0, controls: panel.controls.compactMap { kinds[$0] }, scale: Array(kinds.values),
                                                         capabilityBothSides: capabilityBothSides) }
        return Plan(panel: panel, kinds: kinds, fit: fit, referenceMaker: maker)
    }

    /// Attribution options for a planned panel, with the reference family set when Lineage added references.
    public func options(for plan: Plan, referenceFamily: String?) -> AttributionOptions {
        var options = AttributionOptions(suspect: plan.panel.suspect, references: plan.panel.references,
                                         alternativeReferences: plan.panel.alternativeReferences, controls: plan.panel.controls)
        options.referenceFamily = referenceFamily ?? (plan.panel.references.count > 1 ? plan.referenceMaker : nil)
        return options
    }
}

extension AttributionResult {
    /// The result with its panel, the panel's fit (which may cap the verdict) and the measured error rates.
    public func planned(_ plan: StudyPlanner.Plan, identityDespiteFit: Bool = false) -> AttributionResult {
        var out = plan.fit.map { applying($0, identityDespiteFit: identityDespiteFit) } ?? self
        if let teacher = plan.panel.cancelledInfluence, out.verdict == .noEvidence {
            out.verdict = .inconclusive
            out.verdictExplanation = "Inconclusive: \(suspect) is annotated as trained on \(teacher)'s outputs, so its lean was measured against "
                + "\(teacher)'s model, which cancels that known influence; what \(teacher) shares with \(reference) cancels with it, so the "
                + "study cannot rule a lean toward \(reference) out. The tests alone would have said no-evidence: " + verdictExplanation
            out.warnings.append("panel: the alternative reference is of \(teacher), the suspect's known teacher; the verdict is capped at inconclusive")
        }
        out.panel = plan.panel
        out.warnings += plan.panel.notes.map { "panel: " + $0 }
        out.measuredErrorRates = MeasuredErrorRate.lineageDev.isEmpty ? nil : MeasuredErrorRate.lineageDev
        return out
    }
}
