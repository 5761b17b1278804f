import Foundation
import Lineage

/// The readable summary `lineage attribute` prints.
enum AttributionSummary {
    static func text(_ r: AttributionResult) -> String {
        var lines: [String] = []
        lines.append(r.question)
        let references = r.namedReferences, alternatives = r.namedAlternativeReferences
        lines.append("  suspect \(r.suspect), reference\(references.count > 1 ? "s" : "") \(references.joined(separator: ", "))"
            + (alternatives.isEmpty ? "" : ", alternative reference\(alternatives.count > 1 ? "s" : "") \(alternatives.joined(separator: ", "))")
            + ", controls \(r.controls.joined(separator: ", "))")
        lines.append("  \(r.probes) probes; responses: " + r.samples.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        if let panel = r.panel, panel.members.contains(where: { $0.chosenBy == "lineage" }) {
            lines.append("panel (chosen from the store's annotations where not named):")
            for m in panel.members where m.role != .suspect {
                lines.append("  \(m.role.rawValue) \(m.model) [\(m.chosenBy == "user" ? "named" : "chosen")]: \(m.reason); "
                    + (m.annotation?.summary ?? "not annotated"))
            }
        }
        if let fit = r.panelFit {
            lines.append("panel fit: " + (fit.brackets ? "" : "NOT BRACKETED: ") + fit.explanation)
        }
        lines.append("")
        lines.append("verdict: \(r.verdict.rawValue.uppercased())  (p = \(number(r.pValue)), alpha = \(number(r.alpha)))")
        lines.append("  " + r.verdictExplanation)
        for rate in r.measuredErrorRates ?? [] { lines.append("  measured: " + rate.summary) }
        lines.append("effect: \(r.effect.description)")
        lines.append("  \(number(r.effect.estimate)) [\(number(r.effect.ciLow)), \(number(r.effect.ciHigh))] (\(Int(r.effect.level * 100))% CI, \(r.effect.method))")
        if let power = r.power {
            lines.append("power: \(number(power.power)) for an effect of \(number(power.effectThatMatters)) with \(power.probesUsed) probes"
                + (power.probesNeeded.map { "; about \($0) probes for 80%" } ?? ""))
        }
        lines.append("")
        lines.append("tests:")
        for test in r.tests {
            let role = test.usedInVerdict == true ? "verdict" : "context"
            lines.append("  [\(role)] \(test.name): p = \(number(test.pValue))"
                + (test.adjustedPValue.map { " (adjusted \(number($0)))" } ?? "")
                + (test.keptByTarone == false ? " [left out by Tarone's rule: smallest achievable p \(number(test.minimumAchievablePValue ?? 1))]" : "")
                + ", statistic \(number(test.statistic))" + (test.statisticDescription.map { " (\($0))" } ?? ""))
            lines.append("      H0: \(test.nullHypothesis)")
            lines.append("      " + floorNote(test))
        }
        if !r.controlDiagnostics.isEmpty {
            lines.append("")
            lines.append("controls:")
            for (control, note) in r.controlDiagnostics.sorted(by: { $0.key < $1.key }) { lines.append("  \(control): \(note)") }
        }
        if !r.cleaning.isEmpty {
            lines.append("cleaning removed: " + r.cleaning.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }
        if let share = r.lengthExplainedVariance {
            lines.append("length explained \(number(share * 100))% of the within-probe variance of similarity (removed)")
        }
        for warning in r.warnings { lines.append("warning: " + warning) }
        return lines.joined(separator: "\n")
    }

    /// The test's p-value floor, and whether its p-value sits on it.
    static func floorNote(_ test: HypothesisTestResult) -> String {
        guard let floor = test.pValueFloor else { return "p-value floor: not recorded" }
        return "p-value floor \(number(floor))" + (test.replicates.map { " (1/(1 + B), B = \($0))" } ?? "")
            + (test.pValueIsOnFloor ? "; p sits on the floor: no smaller p-value was possible, so more replicates could show a smaller one" : "")
    }

    static func number(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) < 0.001 { return String(format: "%.2e", value) }
        return String(format: "%.4g", value)
    }
}
