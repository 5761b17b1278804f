import Foundation

extension AttributionStudy {
    /// Several alternative references, each of another maker: the suspect's lean toward R is tested
    /// against each alternative alone (the study with that alternative only, its own length fit), and
    /// the lean must hold against every one. "S learnt from R's maker rather than from another" is the
    /// intersection of "S leans toward R relative to A" over the alternatives A, so the combined p is
    /// the largest per-alternative p (intersection-union: valid whatever the dependence, no multiplicity
    /// price). Against their mean, a suspect that resembles one third maker more than the controls do
    /// reads as leaning toward R; against each, it does not.
    ///
    /// The effect, power and diagnostics shown are the binding alternative's (the largest p), so they
    /// describe the statistic the p-value comes from. `no-evidence` only when the study against every
    /// alternative says so: a student that also resembles another maker must not be cleared through it.
    static func analyseEachAlternative(options: AttributionOptions, similarities raw: ProbeSimilarities, catalog: ProbeCatalog,
                                       command: String, store: String) throws -> AttributionResult {
        let alternatives = options.alternativeReferences
        let studies = try alternatives.map { alternative in
            var single = options
            single.alternativeReferences = [alternative]
            single.eachAlternative = false
            return try analyse(options: single, similarities: raw.restricted(to: single.models), catalog: catalog, command: command, store: store)
        }
        return combineAlternatives(studies, alternatives: alternatives)
    }

    /// Per-alternative studies of one suspect, reference and control panel, joined by intersection-union.
    static func combineAlternatives(_ studies: [AttributionResult], alternatives: [String]) -> AttributionResult {
        precondition(studies.count == alternatives.count && !studies.isEmpty)
        func primary(_ r: AttributionResult) -> HypothesisTestResult? {
            r.tests.first { $0.usedInVerdict == true && !$0.isSelfIdentity }
        }
        // Binding: the largest combined p, then the largest primary p, then the smallest primary statistic.
        let lead = studies.indices.max { a, b in
            let x = studies[a], y = studies[b]
            return (x.pValue, primary(x)?.pValue ?? 1, -(primary(x)?.statistic ?? 0))
                < (y.pValue, primary(y)?.pValue ?? 1, -(primary(y)?.statistic ?? 0))
        }!
        var out = studies[lead]
        let perAlternative = zip(alternatives, studies).map { "\($0): p = \(formatNumber($1.pValue)), \($1.verdict.rawValue)" }.joined(separator: "; ")
        let p = out.pValue
        if studies.allSatisfy({ $0.verdict == .evidence }) {
            out.verdict = .evidence
            out.verdictExplanation = "Evidence that \(out.suspect) was trained on outputs of \(out.reference) (or of a model that was): its lean toward "
                + "\(out.reference) holds against every alternative reference, each of another maker (intersection-union, p = the largest, "
                + "\(formatNumber(p)) ≤ α = \(formatNumber(out.alpha)); \(perAlternative)). It does not prove direct training on \(out.reference): "
                + "a model distilled from its family or from another student of it would show the same."
        } else if studies.allSatisfy({ $0.verdict == .noEvidence }) {
            out.verdict = .noEvidence
            out.verdictExplanation = "No evidence: against every alternative reference the data rule out a lean toward \(out.reference) that "
                + "matters (\(perAlternative)). Against the binding one, \(alternatives[lead]), the study alone said: " + studies[lead].verdictExplanation
        } else {
            out.verdict = .inconclusive
            out.verdictExplanation = "Inconclusive: the lean toward \(out.reference) must hold against every alternative reference, and it does not "
                + "against all, or an effect that matters is not ruled out against all (\(perAlternative)). Against the binding alternative, "
                + "\(alternatives[lead]), the study alone said: " + studies[lead].verdictExplanation
        }
        var tests: [HypothesisTestResult] = []
        for (k, study) in studies.enumerated() {
            for var test in study.tests {
                let isPrimary = test.usedInVerdict == true && !test.isSelfIdentity
                if k == lead {
                    if isPrimary {
                        test.name += " (alternative \(alternatives[k]), binding)"
                        test.method += ". Intersection-union over \(alternatives.count) alternative references, each of another maker "
                            + "(p = the largest of the per-alternative combined p-values): \(perAlternative)"
                    }
                    tests.append(test)
                } else if isPrimary {
                    test.name += " (alternative \(alternatives[k]))"
                    test.usedInVerdict = false
                    test.keptByTarone = nil
                    test.adjustedPValue = nil
                    tests.append(test)
                }
            }
        }
        out.tests = tests
        out.combination += "; intersection-union over the alternative references \(alternatives.joined(separator: ", ")) (p = the largest "
            + "per-alternative combined p; binding: \(alternatives[lead]))"
        out.alternativeReference = alternatives[lead]
        out.alternativeReferences = alternatives
        out.probes = studies.map(\.probes).min()!
        for r in studies { out.samples.merge(r.samples) { max($0, $1) } }
        out.warnings = Array(Set(studies.flatMap(\.warnings))).sorted()
            + ["effect, power and control diagnostics are those of the study against the alternative \(alternatives[lead]) (the largest p-value)"]
        out.reproducibility.configuration["alternatives"] = "each, intersection-union"
        return out
    }
}
