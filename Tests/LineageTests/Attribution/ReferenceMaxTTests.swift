import Foundation
import Testing
@testable import Lineage

/// Several references tested at once by a max-T sign-flip test over every reference (and view) per
/// control (`AttributionOptions.referenceMaxT`).
@Suite struct ReferenceMaxTTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("ReferenceMaxTTests seed: \(seed)")
        return seed
    }()

    static func options(references: Int, alternatives: Int, controls: Int, seed: UInt64) -> AttributionOptions {
        var options = FamilyMeanTests.options(references: references, alternatives: alternatives, controls: controls, seed: seed)
        options.referenceMaxT = true
        return options
    }

    /// Independent construction: the difference-in-differences columns built by hand, one per
    /// (control, reference), through `signFlipMaxT` with the references as views, give the study's
    /// primary p-value and statistic exactly.
    @Test func thePrimaryTestIsTheMaxTOverReferencesBuiltByHand() throws {
        var rng = SeededGenerator(seed: seed)
        let (k, controls, probes) = (3, 2, 40)
        let data = FamilyMeanTests.simulate(probes: probes, references: k, alternatives: 1, controls: controls, suspectLean: 0.7, &rng)
        var options = Self.options(references: k, alternatives: 1, controls: controls, seed: 11)
        options.adjustForLength = false
        options.familyViews = false
        let result = try AttributionStudy.analyse(options: options, similarities: data)
        let a = 1 + k
        var e = Matrix(rows: probes, columns: controls * k)
        for p in 0..<probes {
            let m = data.similarities[p]
            for c in 0..<controls {
                for r in 0..<k {
                    let control = a + 1 + c, reference = 1 + r
                    e[p, c * k + r] = (m[0, reference] - m[0, a]) - (m[control, reference] - m[control, a])
                }
            }
        }
        let outcome = PairedResampling.signFlipMaxT(effects: e, views: k, replicates: options.replicates, seed: options.seed)
        #expect(result.tests[0].pValue == outcome.pValues.max()!)
        let binding = outcome.pValues.indices.max { (outcome.pValues[$0], -outcome.observed[$0]) < (outcome.pValues[$1], -outcome.observed[$1]) }!
        #expect(result.tests[0].statistic == outcome.observed[binding])
        let lead = outcome.largestView[binding]
        #expect(result.tests[0].effect!.description.contains("s(S,R\(lead + 1))"))
    }

    /// Under the null (S exchangeable with the controls) it rejects at most α; against one control,
    /// where it is exact, not far below α either.
    @Test func rejectsAtMostAlphaUnderTheNull() throws {
        var rng = SeededGenerator(seed: seed &+ 1)
        let studies = 200
        let (primary, verdicts) = try FamilyMeanTests.nullRejections(studies: studies, references: 3, alternatives: 1, &rng) {
            Self.options(references: $0, alternatives: $1, controls: $2, seed: $3)
        }
        let n = Double(studies)
        print("null, max-T over references: primary (one control) \(Double(primary) / n), verdict (three controls) \(Double(verdicts) / n)")
        #expect(Double(primary) / n <= NullSimulationTests.ceiling(0.05, studies))
        #expect(Double(primary) / n >= 0.015)
        #expect(Double(verdicts) / n <= NullSimulationTests.ceiling(0.05, studies))
    }

    /// A student of one of the maker's models (it copies that model's own quirks, not the family's
    /// common direction) is found more often by the max-T test than through the mean, which dilutes
    /// it with the other references. Fixed seed: a power comparison.
    @Test func aStudentOfOneReferenceIsFoundMoreOftenThanThroughTheMean() throws {
        var rng = SeededGenerator(seed: 20_261_201)
        let (k, controls, probes, studies) = (5, 3, 80, 60)
        var maxT = 0, mean = 0
        for _ in 0..<studies {
            let models = ["S"] + (1...k).map { "R\($0)" } + ["A1"] + (0..<controls).map { "C\($0)" }
            var similarities: [Matrix] = []
            for _ in 0..<probes {
                let f = (0..<16).map { _ in NullSimulationTests.gaussian(&rng) }
                let g = (0..<16).map { _ in NullSimulationTests.gaussian(&rng) }
                let own = (0..<k).map { _ in (0..<16).map { _ in NullSimulationTests.gaussian(&rng) } }
                var rows = [(0..<16).map { i in 0.5 * f[i] + 0.35 * g[i] + 0.45 * own[0][i] + NullSimulationTests.gaussian(&rng) }]
                for r in 0..<k { rows.append((0..<16).map { i in f[i] + 0.8 * own[r][i] }) }
                rows.append((0..<16).map { i in g[i] + 0.8 * NullSimulationTests.gaussian(&rng) })
                for _ in 0..<controls { rows.append((0..<16).map { i in 0.5 * f[i] + 0.35 * g[i] + NullSimulationTests.gaussian(&rng) }) }
                var m = Matrix(rows)
                m.normalizeRows()
                similarities.append(m.gram())
            }
            let data = ProbeSimilarities(models: models, probes: (0..<probes).map { .init(probeID: Int64($0), probeHash: "p\($0)", turns: 1) },
                                         similarities: similarities, logLengths: (0..<probes).map { _ in models.map { _ in 5 } },
                                         identityClaims: (0..<probes).map { _ in models.map { _ in IdentityLexicon.families.map { _ in false } } },
                                         cleaning: [:], samples: [:])
            var options = Self.options(references: k, alternatives: 1, controls: controls, seed: rng.next())
            options.familyViews = false
            options.adjustForLength = false
            if try AttributionStudy.analyse(options: options, similarities: data).verdict == .evidence { maxT += 1 }
            options.referenceMaxT = false
            if try AttributionStudy.analyse(options: options, similarities: data).verdict == .evidence { mean += 1 }
        }
        print("student of one reference: found \(maxT)/\(studies) by max-T over references, \(mean)/\(studies) through the mean")
        #expect(maxT > mean)
    }
}
