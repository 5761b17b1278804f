import Foundation

/// Whether the control panel brackets the suspect in kind: on each measure of `ModelKind`, the
/// suspect lies within the controls' range (widened by `tolerance` of the measure's spread over the
/// models profiled).
///
/// A verdict rests on "S leans toward R more than models like S that did not learn from R". When S
/// lies outside the controls' range, "like S" fails: a strong assistant measured against weak SFT
/// models may lean toward a strong reference for being strong, and a weak student measured against
/// strong assistants may fail to lean for being weak. Neither `evidence` nor `no-evidence` can then be
/// claimed; the verdict is at most `inconclusive`, and says which measure fails.
public struct PanelFit: Codable, Sendable, Equatable {
    public struct Measure: Codable, Sendable, Equatable {
        public var name: String
        public var suspect: Double
        public var controlsLow: Double
        public var controlsHigh: Double
        /// How far outside the range still counts as inside.
        public var tolerance: Double
        public var inside: Bool

    }

    /// The widening of the controls' range, as a share of the measure's standard deviation over every
    /// model profiled (fixed before the lineage-dev evaluation; see scripts/evaluate-lineage-dev).
    public static let tolerance = 0.25

    public var suspect: ModelKind
    public var controls: [ModelKind]
    public var measures: [Measure]
    public var brackets: Bool
    /// Whether the suspect's consensus (the capability proxy) does not exceed every control's: a
    /// suspect more capable than every control may lean toward a strong reference for being strong, so
    /// `evidence` needs this. Being longer or more formatted than every control is not enough to refuse
    /// `evidence`: distillation transfers length and format, and the length adjustment already removes
    /// what length explains. With `capabilityBothSides` (runs 13 and 14 of scripts/evaluate-lineage-dev; the CLI default since 14), a
    /// suspect less capable than every control (a base model among chat models) is refused too.
    public var evidenceSafe: Bool
    /// In plain words: which measures put the suspect outside the panel.
    public var explanation: String

    /// `scale`: every model profiled, whose spread sets the tolerance (at least the suspect and controls).
    /// `capabilityBothSides`: `evidence` needs the suspect's consensus within the controls' range, not
    /// only not above it.
    public static func assess(suspect: ModelKind, controls: [ModelKind], scale: [ModelKind], capabilityBothSides: Bool = false) -> PanelFit {
        // Sorted, so that the spread is the same number whatever order the models come in.
        let population = (scale.isEmpty ? [suspect] + controls : scale).sorted { $0.model < $1.model }
        var measures: [Measure] = []
        for (i, name) in ModelKind.measureNames.enumerated() {
            let values = population.map { $0.measures[i] }
            let mean = values.reduce(0, +) / Double(max(1, values.count))
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, values.count - 1))).squareRoot()
            let low = controls.map { $0.measures[i] }.min() ?? .nan, high = controls.map { $0.measures[i] }.max() ?? .nan
            let tolerance = tolerance * sd
            let x = suspect.measures[i]
            measures.append(Measure(name: name, suspect: x, controlsLow: low, controlsHigh: high, tolerance: tolerance,
                                    inside: !controls.isEmpty && x >= low - tolerance && x <= high + tolerance))
        }
        let outside = measures.filter { !$0.inside }
        let explanation: String
        if controls.isEmpty {
            explanation = "no control could be profiled"
        } else if outside.isEmpty {
            explanation = "the controls bracket \(suspect.model) in answer length, formatting and consensus"
        } else {
            explanation = outside.map { m in
                let side = m.suspect > m.controlsHigh ? "above" : "below"
                return "\(suspect.model)'s \(m.name) (\(describe(m.name, m.suspect))) lies \(side) every control's "
                    + "(\(describe(m.name, m.controlsLow)) to \(describe(m.name, m.controlsHigh)))"
            }.joined(separator: "; ")
        }
        let capability = measures[2]
        let evidenceSafe = !controls.isEmpty && capability.suspect <= capability.controlsHigh + capability.tolerance
            && (!capabilityBothSides || capability.inside)
        return PanelFit(suspect: suspect, controls: controls, measures: measures, brackets: outside.isEmpty, evidenceSafe: evidenceSafe,
                        explanation: explanation)
    }

    /// Where the suspect's capability proxy lies against the controls', in words.
    public var capabilityClause: String {
        guard measures.count > 2 else { return "its capability could not be measured" }
        let capability = measures[2]
        if capability.inside { return "its consensus (the capability proxy) lies within the controls' range" }
        return capability.suspect > capability.controlsHigh
            ? "it is more capable than every control by the consensus measure"
            : "it is less capable than every control by the consensus measure"
    }

    static func describe(_ measure: String, _ value: Double) -> String {
        measure == ModelKind.measureNames[0] ? "about \(Int((exp(value) - 1).rounded())) words" : String(format: "%.3f", value)
    }
}

extension AttributionResult {
    /// The result with the panel's fit recorded, and the verdict capped at `inconclusive` with the reason
    /// when the panel cannot support it: `no-evidence` needs controls that bracket the suspect on every
    /// measure (a weak student measured against strong assistants may fail to lean for being weak);
    /// `evidence` needs a suspect no more capable than every control (`PanelFit.evidenceSafe`).
    /// With `identityDespiteFit`, `evidence` that a self-identity test carries on its own (adjusted p ≤ α)
    /// stands on any panel: kind explains a lean in similarity, not a model naming R's maker as its own
    /// (run 15 of scripts/evaluate-lineage-dev).
    public func applying(_ fit: PanelFit, identityDespiteFit: Bool = false) -> AttributionResult {
        var out = self
        out.panelFit = fit
        guard !fit.brackets else { return out }
        if identityDespiteFit, verdict == .evidence, !fit.evidenceSafe,
           let identity = tests.first(where: { $0.usedInVerdict == true && $0.isSelfIdentity
                                               && ($0.adjustedPValue ?? $0.pValue) <= alpha }) {
            out.verdictExplanation += " The controls do not bracket \(suspect) in kind (\(fit.explanation)), which would cap a lean in "
                + "similarity at inconclusive; but the self-identity test alone is significant (adjusted p = "
                + "\(formatNumber(identity.adjustedPValue ?? identity.pValue)) ≤ α: \(identity.alternative)), and a different kind of model "
                + "has no reason to name that maker as its own, so the evidence stands."
            out.warnings.append("panel: \(fit.explanation); the evidence rests on the self-identity claims, which kind does not explain")
            return out
        }
        let capped = (verdict == .noEvidence) || (verdict == .evidence && !fit.evidenceSafe)
        guard capped else {
            out.verdictExplanation += " The controls do not bracket \(suspect) in kind (\(fit.explanation))"
                + (verdict == .evidence ? "; " + fit.capabilityClause + ", so the evidence stands." : ".")
            out.warnings.append("panel: \(fit.explanation)")
            return out
        }
        let was = verdict
        out.verdict = .inconclusive
        out.verdictExplanation = "Inconclusive: the controls do not bracket \(suspect) in kind (\(fit.explanation)), so \"\(suspect) leans toward "
            + "\(namedReferences.joined(separator: ", ")) more than models like it\" cannot be told from \"\(suspect) is a different kind of model\". "
            + "The tests alone would have said \(was.rawValue): " + verdictExplanation
            + " Add controls like \(suspect) (`lineage controls --suspect \(suspect) --reference \(reference)` ranks the candidates)."
        out.warnings.append("panel: \(fit.explanation); the verdict is capped at inconclusive")
        return out
    }
}
