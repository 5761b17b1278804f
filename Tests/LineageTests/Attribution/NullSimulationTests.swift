import Foundation
import Testing
@testable import Lineage

/// Validity measured, not assumed: studies simulated under the null (suspect and controls
/// exchangeable) must reject at most α of the time, within binomial error; studies with a real
/// lean must mostly reject.
@Suite struct NullSimulationTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("NullSimulationTests seed: \(seed)")
        return seed
    }()

    /// Per-probe similarities of [S, R, R2, C...]: every model other than R and R2 is
    /// `lean`·R + 0.35·R2 + noise (S uses `suspectLean`), with i.i.d. lengths and identity claims.
    ///
    /// With `families`, each fingerprint is five family blocks (`FingerprintFamily.views`), each with
    /// its own R and R2 directions and noise that is partly shared across a model's blocks (so the
    /// views are dependent, as on real text); the whole cosine is that of the weighted, block-normalised
    /// concatenation, and each family's own cosines are kept. `familyLean` overrides S's lean in one family.
    static func simulate(probes: Int, controls: Int, suspectLean: Float, lean: Float = 0.5,
                         suspectClaims: Double = 0.1, controlClaims: Double = 0.1, reference: String = "R",
                         families: Bool = false, familyLean: (FingerprintFamily, Float)? = nil,
                         _ rng: inout SeededGenerator) -> ProbeSimilarities {
        if families {
            return simulateFamilies(probes: probes, controls: controls, suspectLean: suspectLean, lean: lean, familyLean: familyLean, &rng)
        }
        let models = ["S", reference, "R2"] + (0..<controls).map { "C\($0)" }
        let dimension = 24
        func gaussian() -> Float {
            let u = Double(rng.next() >> 11) * 0x1.0p-53 + 1e-12, v = Double(rng.next() >> 11) * 0x1.0p-53
            return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
        }
        var similarities: [Matrix] = []
        var lengths: [[Float]] = []
        var claims: [[[Bool]]] = []
        for _ in 0..<probes {
            let r = (0..<dimension).map { _ in gaussian() }
            let r2 = (0..<dimension).map { _ in gaussian() }
            var rows: [[Float]] = [(0..<dimension).map { i in suspectLean * r[i] + 0.35 * r2[i] + gaussian() }, r, r2]
            for _ in 0..<controls { rows.append((0..<dimension).map { i in lean * r[i] + 0.35 * r2[i] + gaussian() }) }
            var fingerprints = Matrix(rows)
            fingerprints.normalizeRows()
            similarities.append(fingerprints.gram())
            lengths.append(models.map { _ in 5 + gaussian() })
            claims.append(models.indices.map { m in
                IdentityLexicon.families.indices.map { _ in
                    Double(rng.next() >> 11) * 0x1.0p-53 < (m == 0 ? suspectClaims : controlClaims)
                }
            })
        }
        return ProbeSimilarities(models: models, probes: (0..<probes).map { .init(probeID: Int64($0), probeHash: "p\($0)", turns: 1) },
                                 similarities: similarities, logLengths: lengths, identityClaims: claims, cleaning: [:],
                                 samples: [:])
    }

    static func gaussian(_ rng: inout SeededGenerator) -> Float {
        let u = Double(rng.next() >> 11) * 0x1.0p-53 + 1e-12, v = Double(rng.next() >> 11) * 0x1.0p-53
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }

    static func simulateFamilies(probes: Int, controls: Int, suspectLean: Float, lean: Float, familyLean: (FingerprintFamily, Float)?,
                                 _ rng: inout SeededGenerator) -> ProbeSimilarities {
        let models = ["S", "R", "R2"] + (0..<controls).map { "C\($0)" }
        let families = FingerprintFamily.views
        let dimension = 12
        let weights = FingerprintWeights()
        var similarities: [Matrix] = []
        var perFamily: [FingerprintFamily: [Matrix]] = [:]
        var lengths: [[Float]] = []
        var claims: [[[Bool]]] = []
        for _ in 0..<probes {
            let shared = models.map { _ in (0..<dimension).map { _ in gaussian(&rng) } }
            var whole = Matrix(rows: models.count, columns: dimension * families.count)
            for (f, family) in families.enumerated() {
                let r = (0..<dimension).map { _ in gaussian(&rng) }
                let r2 = (0..<dimension).map { _ in gaussian(&rng) }
                var block = Matrix(rows: models.count, columns: dimension)
                for m in models.indices {
                    let l: Float = m == 0 ? (familyLean?.0 == family ? familyLean!.1 : suspectLean) : lean
                    for i in 0..<dimension {
                        block[m, i] = switch m {
                        case 1: r[i]
                        case 2: r2[i]
                        default: l * r[i] + 0.35 * r2[i] + 0.7 * shared[m][i] + 0.7 * gaussian(&rng)
                        }
                    }
                }
                block.normalizeRows()
                perFamily[family, default: []].append(block.gram())
                let w = family.weight(in: weights)
                for m in models.indices { for i in 0..<dimension { whole[m, f * dimension + i] = w * block[m, i] } }
            }
            whole.normalizeRows()
            similarities.append(whole.gram())
            lengths.append(models.map { _ in 5 + gaussian(&rng) })
            claims.append(models.map { _ in IdentityLexicon.families.map { _ in Double(rng.next() >> 11) * 0x1.0p-53 < 0.1 } })
        }
        var data = ProbeSimilarities(models: models, probes: (0..<probes).map { .init(probeID: Int64($0), probeHash: "p\($0)", turns: 1) },
                                     similarities: similarities, logLengths: lengths, identityClaims: claims, cleaning: [:], samples: [:])
        data.familySimilarities = perFamily
        return data
    }

    static func options(controls: Int, seed: UInt64) -> AttributionOptions {
        var options = AttributionOptions(suspect: "S", reference: "R", alternativeReference: "R2", controls: (0..<controls).map { "C\($0)" })
        options.replicates = 199
        options.bootstrap = 199
        options.seed = seed
        options.referenceFamily = "OpenAI"
        return options
    }

    /// Upper end of a one-sided 99.99% binomial band around α for `n` studies.
    static func ceiling(_ alpha: Double, _ n: Int) -> Double { alpha + 3.7 * (alpha * (1 - alpha) / Double(n)).squareRoot() }

    @Test func oneControlRejectsAtMostAlphaUnderTheNull() throws {
        var rng = SeededGenerator(seed: seed)
        let studies = 400
        var primaryRejections = 0, identityRejections = 0, verdictRejections = 0
        for _ in 0..<studies {
            let data = Self.simulate(probes: 40, controls: 1, suspectLean: 0.5, &rng)
            var options = Self.options(controls: 1, seed: rng.next())
            options.minimumControls = 1
            let result = try AttributionStudy.analyse(options: options, similarities: data)
            if result.tests[0].pValue <= 0.05 { primaryRejections += 1 }
            if result.tests[1].pValue <= 0.05 { identityRejections += 1 }
            if result.verdict == .evidence { verdictRejections += 1 }
        }
        let n = Double(studies)
        print("null, one control: primary \(Double(primaryRejections) / n), identity \(Double(identityRejections) / n), verdict \(Double(verdictRejections) / n)")
        #expect(Double(primaryRejections) / n <= Self.ceiling(0.05, studies))
        #expect(Double(identityRejections) / n <= Self.ceiling(0.05, studies))
        #expect(Double(verdictRejections) / n <= Self.ceiling(0.05, studies))
        // The sign-flip test is exact here, so it is not wildly conservative either.
        #expect(Double(primaryRejections) / n >= 0.015)
    }

    @Test func severalControlsRejectAtMostAlphaUnderTheNull() throws {
        var rng = SeededGenerator(seed: seed &+ 1)
        let studies = 300
        var rejections = 0
        for _ in 0..<studies {
            let data = Self.simulate(probes: 60, controls: 3, suspectLean: 0.5, &rng)
            if try AttributionStudy.analyse(options: Self.options(controls: 3, seed: rng.next()), similarities: data).verdict == .evidence {
                rejections += 1
            }
        }
        print("null, three controls: verdict \(Double(rejections) / Double(studies))")
        #expect(Double(rejections) / Double(studies) <= Self.ceiling(0.05, studies))
    }

    /// The max-T test over the whole fingerprint and its five families (dependent views): against
    /// one control (where the test is exact) it rejects at most α under the null, and not far below
    /// it; with three controls the verdict rejects at most α.
    @Test func familyViewsRejectAtMostAlphaUnderTheNull() throws {
        var rng = SeededGenerator(seed: seed &+ 5)
        let studies = 400
        var primary = 0, verdicts = 0
        for _ in 0..<studies {
            let data = Self.simulate(probes: 40, controls: 1, suspectLean: 0.5, families: true, &rng)
            var options = Self.options(controls: 1, seed: rng.next())
            options.minimumControls = 1
            let result = try AttributionStudy.analyse(options: options, similarities: data)
            #expect(result.tests[0].method.contains("max-T") && result.tests[0].method.contains("6 views"))
            if result.tests[0].pValue <= 0.05 { primary += 1 }
            let several = Self.simulate(probes: 60, controls: 3, suspectLean: 0.5, families: true, &rng)
            if try AttributionStudy.analyse(options: Self.options(controls: 3, seed: rng.next()), similarities: several).verdict == .evidence {
                verdicts += 1
            }
        }
        let n = Double(studies)
        print("null, family views: primary (one control) \(Double(primary) / n), verdict (three controls) \(Double(verdicts) / n)")
        #expect(Double(primary) / n <= Self.ceiling(0.05, studies))
        #expect(Double(primary) / n >= 0.015)
        #expect(Double(verdicts) / n <= Self.ceiling(0.05, studies))
    }

    /// A suspect that leans toward R in one family only (as format and style do on task-like
    /// prompts): the max-T test over family views finds it more often than the whole fingerprint alone.
    @Test func aLeanInOneFamilyIsFoundMoreOftenWithFamilyViews() throws {
        var rng = SeededGenerator(seed: seed &+ 6)
        let studies = 60
        var withViews = 0, wholeOnly = 0
        for _ in 0..<studies {
            let data = Self.simulate(probes: 80, controls: 3, suspectLean: 0.5, families: true, familyLean: (.style, 1.0), &rng)
            var options = Self.options(controls: 3, seed: rng.next())
            if try AttributionStudy.analyse(options: options, similarities: data).verdict == .evidence { withViews += 1 }
            options.familyViews = false
            if try AttributionStudy.analyse(options: options, similarities: data).verdict == .evidence { wholeOnly += 1 }
        }
        print("lean in the style family only: found \(withViews)/\(studies) with family views, \(wholeOnly)/\(studies) with the whole fingerprint")
        #expect(withViews >= studies * 7 / 10)
        #expect(withViews > wholeOnly + studies / 10)
    }

    /// "No evidence" must hold in every view the max-T test read: a suspect that leans away in every
    /// family is mostly called no-evidence; one that leans away in all families but style, where it
    /// leans toward R a little, is not, although its whole fingerprint leans away (and the whole
    /// fingerprint alone calls it no-evidence).
    @Test func noEvidenceNeedsEveryFamilyViewToRuleOutAnEffect() throws {
        var rng = SeededGenerator(seed: seed &+ 7)
        let studies = 20
        var awayEverywhere = 0, awayButOne = 0, wholeOnly = 0
        for _ in 0..<studies {
            let away = Self.simulate(probes: 200, controls: 3, suspectLean: 0.1, families: true, &rng)
            if try AttributionStudy.analyse(options: Self.options(controls: 3, seed: rng.next()), similarities: away).verdict == .noEvidence {
                awayEverywhere += 1
            }
            let mixed = Self.simulate(probes: 200, controls: 3, suspectLean: 0.1, families: true, familyLean: (.style, 0.65), &rng)
            var options = Self.options(controls: 3, seed: rng.next())
            if try AttributionStudy.analyse(options: options, similarities: mixed).verdict == .noEvidence { awayButOne += 1 }
            options.familyViews = false
            if try AttributionStudy.analyse(options: options, similarities: mixed).verdict == .noEvidence { wholeOnly += 1 }
        }
        print("no-evidence: leaning away everywhere \(awayEverywhere)/\(studies); away everywhere but style \(awayButOne)/\(studies) "
            + "(whole fingerprint alone: \(wholeOnly)/\(studies))")
        #expect(awayEverywhere >= studies * 8 / 10)
        #expect(wholeOnly >= studies * 8 / 10)
        #expect(awayButOne <= studies / 10)
    }

    /// Rare identity claims (as on real data): Tarone's rule usually leaves the identity test out
    /// and gives the similarity test the whole α; the verdict must still reject at most α.
    @Test func rareClaimsUnderTaronesRuleRejectAtMostAlphaUnderTheNull() throws {
        var rng = SeededGenerator(seed: seed &+ 2)
        let studies = 300
        var rejections = 0, leftOut = 0
        for _ in 0..<studies {
            let data = Self.simulate(probes: 60, controls: 3, suspectLean: 0.5, suspectClaims: 0.02, controlClaims: 0.02, &rng)
            let result = try AttributionStudy.analyse(options: Self.options(controls: 3, seed: rng.next()), similarities: data)
            if result.verdict == .evidence { rejections += 1 }
            if result.tests.contains(where: { $0.keptByTarone == false }) { leftOut += 1 }
        }
        print("null, rare claims, Tarone: verdict \(Double(rejections) / Double(studies)), identity test left out in \(leftOut) of \(studies)")
        #expect(leftOut > studies / 2)
        #expect(Double(rejections) / Double(studies) <= Self.ceiling(0.05, studies))
    }

    /// Two references of one family, each studied alone and combined (Tarone's Bonferroni over both
    /// similarity tests and one identity test): the combined verdict rejects at most α under the null.
    @Test func twoReferencesCombinedRejectAtMostAlphaUnderTheNull() throws {
        var rng = SeededGenerator(seed: seed &+ 3)
        let studies = 200
        var rejections = 0
        for _ in 0..<studies {
            var results: [AttributionResult] = []
            for reference in ["R", "Rb"] {
                let data = Self.simulate(probes: 60, controls: 3, suspectLean: 0.5, reference: reference, &rng)
                var options = Self.options(controls: 3, seed: rng.next())
                options.reference = reference
                results.append(try AttributionStudy.analyse(options: options, similarities: data))
            }
            let combined = AttributionStudy.combine(results)
            #expect(combined.references == ["R", "Rb"] && combined.reference == "R")
            #expect(combined.tests.filter { $0.name.hasPrefix("self-identity claims") && $0.usedInVerdict == true }.count == 1)
            #expect(combined.tests.filter { $0.usedInVerdict == true }.count == 3)
            let family = combined.tests.filter { $0.usedInVerdict == true }
            let expected = MultipleTesting.tarone(family.map(\.pValue), minimumAchievable: family.map { $0.minimumAchievablePValue ?? 0 }, alpha: 0.05)
            #expect(combined.pValue == expected.adjusted.min()!)
            if combined.verdict == .evidence { rejections += 1 }
        }
        print("null, two references combined: verdict \(Double(rejections) / Double(studies))")
        #expect(Double(rejections) / Double(studies) <= Self.ceiling(0.05, studies))
    }

    @Test func aSuspectThatLeansTowardTheReferenceIsFoundAndNegativesAreMostlyNoEvidence() throws {
        var rng = SeededGenerator(seed: seed &+ 2)
        var found = 0, noEvidence = 0
        let studies = 40
        for _ in 0..<studies {
            let leaning = Self.simulate(probes: 80, controls: 3, suspectLean: 0.9, &rng)
            if try AttributionStudy.analyse(options: Self.options(controls: 3, seed: rng.next()), similarities: leaning).verdict == .evidence {
                found += 1
            }
            let away = Self.simulate(probes: 200, controls: 3, suspectLean: 0.2, &rng)
            if try AttributionStudy.analyse(options: Self.options(controls: 3, seed: rng.next()), similarities: away).verdict == .noEvidence {
                noEvidence += 1
            }
        }
        print("leaning suspect found in \(found)/\(studies); suspect leaning away called no-evidence in \(noEvidence)/\(studies)")
        #expect(found >= studies * 8 / 10)
        #expect(noEvidence >= studies * 8 / 10)
    }

    @Test func fewProbesAreInconclusiveWithTheProbesNeeded() throws {
        var rng = SeededGenerator(seed: seed &+ 3)
        let data = Self.simulate(probes: 12, controls: 2, suspectLean: 0.5, &rng)
        let result = try AttributionStudy.analyse(options: Self.options(controls: 2, seed: rng.next()), similarities: data)
        #expect(result.verdict != .noEvidence)
        if result.verdict == .inconclusive {
            #expect((result.power?.probesNeeded ?? 0) > 12)
        }
    }

    @Test func aControlThatLeansTowardTheReferenceIsFlagged() throws {
        var rng = SeededGenerator(seed: seed &+ 4)
        var data = Self.simulate(probes: 150, controls: 3, suspectLean: 0.5, &rng)
        // Make C0 a student of R: rebuild its similarities from a fingerprint leaning hard toward R.
        let strong = Self.simulate(probes: 150, controls: 3, suspectLean: 1.5, &rng)
        for p in data.similarities.indices {
            // Swap in the strongly leaning model's similarities as control C0 (index 3) of fresh probes.
            data.similarities[p] = strong.similarities[p]
            for m in 0..<6 {
                let (a, b) = (strong.similarities[p][0, m], strong.similarities[p][3, m])
                data.similarities[p][3, m] = a; data.similarities[p][m, 3] = a
                data.similarities[p][0, m] = b; data.similarities[p][m, 0] = b
            }
            data.similarities[p][0, 3] = strong.similarities[p][0, 3]; data.similarities[p][3, 0] = strong.similarities[p][0, 3]
            data.similarities[p][0, 0] = 1; data.similarities[p][3, 3] = 1
        }
        let result = try AttributionStudy.analyse(options: Self.options(controls: 3, seed: rng.next()), similarities: data)
        #expect(result.controlDiagnostics["C0"]?.contains("leans toward R") == true)
        #expect(result.controlDiagnostics["C1"]?.contains("leans toward R") != true)
    }
}
