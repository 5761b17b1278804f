import Foundation

extension AttributionStudy {
    /// Several references of one family (e.g. gpt-4 and gpt-3.5-turbo, both OpenAI): the suspect is
    /// studied against each reference alone (`results`, one per reference, same suspect, controls and
    /// alternative references), and the studies are combined into one verdict. (`--reference-mean`
    /// runs one study on the mean similarity to the references instead; see `ReferenceSides`.)
    ///
    /// The family of tests is every reference's primary similarity test plus one self-identity test
    /// per maker family (the identity test asks "does S claim to be this family?", the same question
    /// whichever reference of the family is named; the first reference's is used). Bonferroni with
    /// Tarone's rule over that family (`MultipleTesting.tarone`), valid under any dependence between
    /// the references' tests. `evidence` when the combined p ≤ α (and enough controls); `no-evidence`
    /// only when every reference's own study is `no-evidence`; otherwise `inconclusive`. The effect,
    /// power and diagnostics shown are those of the reference whose similarity test has the smallest p.
    public static func combine(_ results: [AttributionResult], minimumControls: Int = 2) -> AttributionResult {
        precondition(!results.isEmpty, "at least one study")
        guard results.count > 1 else {
            var single = results[0]
            single.references = single.namedReferences
            return single
        }
        let alpha = results[0].alpha
        let identityName = HypothesisTestResult.selfIdentityName
        var family: [HypothesisTestResult] = []
        var familyOwner: [Int] = []
        var context: [HypothesisTestResult] = []
        var identityFamilies = Set<String>()
        for (k, result) in results.enumerated() {
            let makerFamily = result.reproducibility.configuration["reference family"] ?? "unknown"
            for var test in result.tests {
                let isIdentity = test.name == identityName
                if test.usedInVerdict == true && isIdentity {
                    guard identityFamilies.insert(makerFamily).inserted else { continue }
                    test.name = "\(identityName) (\(makerFamily))"
                    family.append(test)
                    familyOwner.append(k)
                } else if test.usedInVerdict == true {
                    test.name += " (reference \(result.reference))"
                    family.append(test)
                    familyOwner.append(k)
                } else {
                    test.name += " (reference \(result.reference))"
                    context.append(test)
                }
            }
        }
        let tarone = MultipleTesting.tarone(family.map(\.pValue), minimumAchievable: family.map { $0.minimumAchievablePValue ?? 0 }, alpha: alpha)
        for i in family.indices {
            family[i].usedInVerdict = true
            family[i].keptByTarone = tarone.kept[i]
            family[i].adjustedPValue = tarone.adjusted[i]
        }
        let combined = tarone.adjusted.min()!
        // The reference whose primary similarity test is strongest carries the effect shown.
        let similarityIndices = family.indices.filter { !family[$0].isSelfIdentity }
        let lead = similarityIndices.min { family[$0].pValue < family[$1].pValue }.map { familyOwner[$0] } ?? 0
        var out = results[lead]
        let names = results.map(\.reference)
        let controlCount = results[0].controls.count
        let verdict: Verdict
        let explanation: String
        if combined <= alpha && controlCount >= minimumControls {
            verdict = .evidence
            explanation = "Evidence that \(out.suspect) was trained on outputs of one of \(names.joined(separator: ", ")) (or of a model that was): combined p = "
                + "\(formatNumber(combined)) ≤ α = \(formatNumber(alpha)) over \(family.count) tests (Bonferroni with Tarone's rule, K = \(tarone.familySize)). "
                + "It does not prove direct training on these models: a model distilled from their family or from another student of it would show the same."
        } else if combined <= alpha {
            verdict = .inconclusive
            explanation = "Inconclusive: combined p = \(formatNumber(combined)) ≤ α, but against only \(controlCount) control(s); at least \(minimumControls) are needed."
        } else if results.allSatisfy({ $0.verdict == .noEvidence }) {
            verdict = .noEvidence
            explanation = "No evidence: combined p = \(formatNumber(combined)) > α over \(family.count) tests, and against every reference "
                + "(\(names.joined(separator: ", "))) the data rule out an effect that matters."
        } else {
            verdict = .inconclusive
            explanation = "Inconclusive: combined p = \(formatNumber(combined)) > α over \(family.count) tests, but against "
                + results.filter { $0.verdict != .noEvidence }.map(\.reference).joined(separator: ", ")
                + " the data cannot rule out an effect that matters. Absence of evidence, not evidence of absence. Per reference: "
                + results.map { "\($0.reference): \($0.verdict.rawValue)" }.joined(separator: "; ") + "."
        }
        out.question = "Was \(out.suspect) trained on outputs of \(names.joined(separator: " or "))?"
        out.reference = results[0].reference
        out.references = names
        out.verdict = verdict
        out.verdictExplanation = explanation
        out.pValue = combined
        out.combination = "Tarone's Bonferroni for discrete tests over \(family.count) tests (each reference's primary similarity test, one "
            + "self-identity test per maker family): K = \(tarone.familySize)"
            + (tarone.kept.contains(false) ? "; left out (smallest achievable p > α/K): \(zip(family, tarone.kept).filter { !$0.1 }.map(\.0.name).joined(separator: ", "))" : "")
            + "; valid under any dependence"
        out.tests = family + context
        out.probes = results.map(\.probes).min()!
        for r in results { out.samples.merge(r.samples) { max($0, $1) } }
        out.warnings = Array(Set(results.flatMap(\.warnings))).sorted()
            + ["effect, power and control diagnostics are those of the study against \(results[lead].reference) (the smallest similarity p-value); probes: "
                + results.map { "\($0.reference) \($0.probes)" }.joined(separator: ", ")]
        out.reproducibility.configuration["references"] = names.joined(separator: ",")
        return out
    }
}
