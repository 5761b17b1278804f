import Foundation
import Testing
@testable import Lineage

/// The lean tested against each alternative reference alone (`AttributionOptions.eachAlternative`):
/// the combined p is the largest per-alternative p, checked against the studies run one alternative
/// at a time; under the null it rejects at most α; a suspect that resembles a third maker is not
/// read as leaning toward R, where one alternative alone does read it so; a real lean is found.
@Suite struct EachAlternativeTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("EachAlternativeTests seed: \(seed)")
        return seed
    }()

    /// Per-probe similarities of [S, R, A, B, C0...]: R, A and B are three makers' answers, each its
    /// own random direction (R also carries `referenceSharesB` of B's); the controls are
    /// 0.5·r + 0.35·a + 0.35·b + noise, the suspect `suspect.r`·r + 0.35·a + `suspect.b`·b + noise.
    static func simulate(probes: Int, controls: Int, suspect: (r: Float, b: Float), referenceSharesB: Float = 0,
                         _ rng: inout SeededGenerator) -> ProbeSimilarities {
        let models = ["S", "R", "A", "B"] + (0..<controls).map { "C\($0)" }
        let dimension = 24
        var similarities: [Matrix] = []
        var lengths: [[Float]] = []
        var claims: [[[Bool]]] = []
        for _ in 0..<probes {
            let r = (0..<dimension).map { _ in NullSimulationTests.gaussian(&rng) }
            let a = (0..<dimension).map { _ in NullSimulationTests.gaussian(&rng) }
            let b = (0..<dimension).map { _ in NullSimulationTests.gaussian(&rng) }
            var rows: [[Float]] = [
                (0..<dimension).map { i in suspect.r * r[i] + 0.35 * a[i] + suspect.b * b[i] + NullSimulationTests.gaussian(&rng) },
                (0..<dimension).map { i in r[i] + referenceSharesB * b[i] }, a, b,
            ]
            for _ in 0..<controls {
                rows.append((0..<dimension).map { i in 0.5 * r[i] + 0.35 * a[i] + 0.35 * b[i] + NullSimulationTests.gaussian(&rng) })
            }
            var fingerprints = Matrix(rows)
            fingerprints.normalizeRows()
            similarities.append(fingerprints.gram())
            lengths.append(models.map { _ in 5 + NullSimulationTests.gaussian(&rng) })
            claims.append(models.map { _ in IdentityLexicon.families.map { _ in Double(rng.next() >> 11) * 0x1.0p-53 < 0.1 } })
        }
        return ProbeSimilarities(models: models, probes: (0..<probes).map { .init(probeID: Int64($0), probeHash: "p\($0)", turns: 1) },
                                 similarities: similarities, logLengths: lengths, identityClaims: claims, cleaning: [:], samples: [:])
    }

    static func options(alternatives: [String], controls: Int, seed: UInt64) -> AttributionOptions {
        var options = AttributionOptions(suspect: "S", references: ["R"], alternativeReferences: alternatives, controls: (0..<controls).map { "C\($0)" })
        options.replicates = 199
        options.bootstrap = 199
        options.seed = seed
        options.referenceFamily = "OpenAI"
        options.familyViews = false
        options.eachAlternative = alternatives.count > 1
        return options
    }

    @Test func theCombinedPValueIsTheLargestOfTheStudiesAgainstEachAlternative() throws {
        var rng = SeededGenerator(seed: seed)
        for (suspect, shares) in [((Float(0.5), Float(0.35)), Float(0)), ((0.9, 0.35), 0), ((0.5, 1.0), 0.6)] {
            let data = Self.simulate(probes: 60, controls: 3, suspect: suspect, referenceSharesB: shares, &rng)
            let options = Self.options(alternatives: ["A", "B"], controls: 3, seed: rng.next())
            let combined = try AttributionStudy.analyse(options: options, similarities: data)
            let alone = try ["A", "B"].map { a in
                let single = Self.options(alternatives: [a], controls: 3, seed: options.seed)
                return try AttributionStudy.analyse(options: single, similarities: data.restricted(to: single.models))
            }
            #expect(combined.pValue == alone.map(\.pValue).max()!)
            // Binding: the largest combined p; ties to the largest primary p, then to the smallest primary statistic.
            func key(_ r: AttributionResult) -> (Double, Double, Double) {
                let primary = r.tests.first { $0.usedInVerdict == true && !$0.name.hasPrefix("self-identity") }!
                return (r.pValue, primary.pValue, -primary.statistic)
            }
            let binding = key(alone[1]) > key(alone[0]) ? 1 : 0
            #expect(combined.effect.estimate == alone[binding].effect.estimate)
            #expect(combined.alternativeReference == ["A", "B"][binding])
            #expect(combined.alternativeReferences == ["A", "B"])
            let expected: Verdict = alone.allSatisfy { $0.verdict == .evidence } ? .evidence
                : alone.allSatisfy { $0.verdict == .noEvidence } ? .noEvidence : .inconclusive
            #expect(combined.verdict == expected)
            // One primary test and the identity test decide; the other alternative's test is context.
            #expect(combined.tests.filter { $0.usedInVerdict == true }.count == 2)
            #expect(combined.tests.contains { $0.usedInVerdict == false && $0.name.contains("(alternative ") })
        }
    }

    @Test func underTheNullItRejectsAtMostAlpha() throws {
        var rng = SeededGenerator(seed: seed &+ 1)
        let studies = 300
        var rejections = 0
        for _ in 0..<studies {
            let data = Self.simulate(probes: 40, controls: 3, suspect: (0.5, 0.35), &rng)
            let result = try AttributionStudy.analyse(options: Self.options(alternatives: ["A", "B"], controls: 3, seed: rng.next()), similarities: data)
            if result.verdict == .evidence { rejections += 1 }
        }
        print("each alternative, null: \(Double(rejections) / Double(studies))")
        #expect(Double(rejections) / Double(studies) <= NullSimulationTests.ceiling(0.05, studies))
    }

    /// R shares some of B's behaviour and the suspect resembles B: against A alone that reads as a lean
    /// toward R; against each of A and B it does not, while a suspect that really leans toward R is found.
    @Test func aSuspectResemblingAThirdMakerIsNotReadAsLeaningTowardTheReference() throws {
        var rng = SeededGenerator(seed: seed &+ 2)
        let studies = 40
        var aloneFound = 0, eachFound = 0, studentFound = 0
        for _ in 0..<studies {
            let resembler = Self.simulate(probes: 80, controls: 3, suspect: (0.5, 1.0), referenceSharesB: 0.6, &rng)
            let s = rng.next()
            let single = Self.options(alternatives: ["A"], controls: 3, seed: s)
            if try AttributionStudy.analyse(options: single, similarities: resembler.restricted(to: single.models)).verdict == .evidence { aloneFound += 1 }
            if try AttributionStudy.analyse(options: Self.options(alternatives: ["A", "B"], controls: 3, seed: s), similarities: resembler).verdict == .evidence {
                eachFound += 1
            }
            let student = Self.simulate(probes: 80, controls: 3, suspect: (0.9, 0.35), referenceSharesB: 0.6, &rng)
            if try AttributionStudy.analyse(options: Self.options(alternatives: ["A", "B"], controls: 3, seed: s), similarities: student).verdict == .evidence {
                studentFound += 1
            }
        }
        print("third-maker resembler: against A alone \(aloneFound)/\(studies), against each \(eachFound)/\(studies); student \(studentFound)/\(studies)")
        #expect(aloneFound >= studies * 3 / 4)
        #expect(eachFound <= studies / 10)
        #expect(studentFound >= studies * 3 / 4)
    }
}
