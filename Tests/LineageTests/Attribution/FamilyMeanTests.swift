import Foundation
import Testing
@testable import Lineage

/// Several references of one family (and several alternatives) tested as one: the similarity to a
/// side is the mean over its models (`ReferenceSides`).
@Suite struct FamilyMeanTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("FamilyMeanTests seed: \(seed)")
        return seed
    }()

    /// Per-probe similarities of [S, R1..Rk, A1..Aj, C0..]: each reference is the family direction f
    /// plus its own noise (one answer is one noisy sample of the family), each alternative likewise
    /// around g; the others are `lean`·f + 0.35·g + noise (S uses `suspectLean`). With
    /// `families`, the five view families get their own cosines (independent blocks).
    static func simulate(probes: Int, references: Int, alternatives: Int, controls: Int, suspectLean: Float, lean: Float = 0.5,
                         referenceNoise: Float = 0.8, families: Bool = false, _ rng: inout SeededGenerator) -> ProbeSimilarities {
        let models = ["S"] + (1...references).map { "R\($0)" } + (0..<alternatives).map { "A\($0 + 1)" }
            + (0..<controls).map { "C\($0)" }
        let dimension = 16
        func block() -> Matrix {
            let f = (0..<dimension).map { _ in NullSimulationTests.gaussian(&rng) }
            let g = (0..<dimension).map { _ in NullSimulationTests.gaussian(&rng) }
            var rows: [[Float]] = [(0..<dimension).map { i in suspectLean * f[i] + 0.35 * g[i] + NullSimulationTests.gaussian(&rng) }]
            for _ in 0..<references { rows.append((0..<dimension).map { i in f[i] + referenceNoise * NullSimulationTests.gaussian(&rng) }) }
            for _ in 0..<alternatives { rows.append((0..<dimension).map { i in g[i] + referenceNoise * NullSimulationTests.gaussian(&rng) }) }
            for _ in 0..<controls { rows.append((0..<dimension).map { i in lean * f[i] + 0.35 * g[i] + NullSimulationTests.gaussian(&rng) }) }
            var m = Matrix(rows)
            m.normalizeRows()
            return m.gram()
        }
        var similarities: [Matrix] = []
        var perFamily: [FingerprintFamily: [Matrix]] = [:]
        for _ in 0..<probes {
            similarities.append(block())
            if families { for family in FingerprintFamily.views { perFamily[family, default: []].append(block()) } }
        }
        var data = ProbeSimilarities(
            models: models, probes: (0..<probes).map { .init(probeID: Int64($0), probeHash: "p\($0)", turns: 1) },
            similarities: similarities, logLengths: (0..<probes).map { _ in models.map { _ in 5 + NullSimulationTests.gaussian(&rng) } },
            identityClaims: (0..<probes).map { _ in models.map { _ in IdentityLexicon.families.map { _ in Double(rng.next() >> 11) * 0x1.0p-53 < 0.05 } } },
            cleaning: [:], samples: [:])
        data.familySimilarities = perFamily
        return data
    }

    static func options(references: Int, alternatives: Int, controls: Int, seed: UInt64) -> AttributionOptions {
        var options = AttributionOptions(suspect: "S", references: (1...references).map { "R\($0)" },
                                         alternativeReferences: (0..<alternatives).map { "A\($0 + 1)" }, controls: (0..<controls).map { "C\($0)" })
        options.replicates = 199
        options.bootstrap = 199
        options.seed = seed
        options.referenceFamily = "OpenAI"
        return options
    }

    /// `data` over other models: `models` names them, `keep` says whose lengths and identity claims
    /// each takes, and `matrix` maps every per-probe (and per-family) similarity matrix.
    static func remodelled(_ data: ProbeSimilarities, models: [String], keep: [Int], matrix: (Matrix) -> Matrix) -> ProbeSimilarities {
        var out = ProbeSimilarities(
            models: models, probes: data.probes, similarities: data.similarities.map(matrix),
            logLengths: data.logLengths.map { l in keep.map { l[$0] } }, identityClaims: data.identityClaims.map { c in keep.map { c[$0] } },
            cleaning: [:], samples: [:])
        out.familySimilarities = data.familySimilarities.mapValues { $0.map(matrix) }
        return out
    }

    /// Independent construction: collapse each probe's matrix by hand to [S, R̄, Ā, C...], where row
    /// R̄ holds the mean over the references (Ā over the alternatives), and run the one-reference study
    /// on it. The family-mean study must give the same tests, p-values and effects.
    @Test func theFamilyMeanStudyIsTheOneReferenceStudyOnCollapsedSimilarities() throws {
        var rng = SeededGenerator(seed: seed)
        let (k, j, controls) = (3, 2, 3)
        let data = Self.simulate(probes: 50, references: k, alternatives: j, controls: controls, suspectLean: 0.7, families: true, &rng)
        func collapse(_ m: Matrix) -> Matrix {
            let n = m.rows
            let sides = [[0], Array(1...k), Array((k + 1)...(k + j))] + ((k + j + 1)..<n).map { [$0] }
            var out = Matrix(rows: sides.count, columns: sides.count)
            for (x, a) in sides.enumerated() {
                for (y, b) in sides.enumerated() {
                    // A single model against a side: the plain mean, summed in index order.
                    if a.count == 1 { out[x, y] = b.reduce(Float(0)) { $0 + m[a[0], $1] } / Float(b.count) }
                    else if b.count == 1 { out[x, y] = a.reduce(Float(0)) { $0 + m[b[0], $1] } / Float(a.count) }
                    else { out[x, y] = .nan }
                }
            }
            return out
        }
        let collapsed = Self.remodelled(data, models: ["S", "R", "A"] + (0..<controls).map { "C\($0)" },
                                        keep: [0, 1, k + 1] + Array((k + j + 1)..<data.models.count), matrix: collapse)

        var family = Self.options(references: k, alternatives: j, controls: controls, seed: 7)
        family.adjustForLength = false
        var single = family
        single.references = ["R"]
        single.alternativeReferences = ["A"]
        let a = try AttributionStudy.analyse(options: family, similarities: data)
        let b = try AttributionStudy.analyse(options: single, similarities: collapsed)
        #expect(a.tests.count == b.tests.count)
        for (x, y) in zip(a.tests, b.tests) {
            #expect(x.pValue == y.pValue, "\(x.name)")
            #expect(x.statistic == y.statistic, "\(x.name)")
            #expect(x.effect?.estimate == y.effect?.estimate, "\(x.name)")
        }
        #expect(a.pValue == b.pValue && a.verdict == b.verdict)
        #expect(a.references == ["R1", "R2", "R3"] && a.reference == "R1" && a.alternativeReferences == ["A1", "A2"])
        #expect(a.tests[0].effect!.description.contains("{R1, R2, R3}") && a.tests[0].effect!.description.contains("mean of x's similarities"))
    }

    /// Under the null (S exchangeable with the controls) the family-mean study rejects at most α:
    /// against one control, where the sign-flip test is exact, not far below α either.
    @Test func severalReferencesAndAlternativesRejectAtMostAlphaUnderTheNull() throws {
        var rng = SeededGenerator(seed: seed &+ 1)
        let studies = 200
        let (primary, verdicts) = try Self.nullRejections(studies: studies, references: 2, alternatives: 3, &rng) {
            Self.options(references: $0, alternatives: $1, controls: $2, seed: $3)
        }
        let n = Double(studies)
        print("null, family means: primary (one control) \(Double(primary) / n), verdict (three controls) \(Double(verdicts) / n)")
        #expect(Double(primary) / n <= NullSimulationTests.ceiling(0.05, studies))
        #expect(Double(primary) / n >= 0.015)
        #expect(Double(verdicts) / n <= NullSimulationTests.ceiling(0.05, studies))
    }

    /// Null studies (S exchangeable with the controls): how often the primary test rejects at 0.05
    /// against one control (where it is exact), and how often three controls give `evidence`.
    static func nullRejections(studies: Int, references: Int, alternatives: Int, _ rng: inout SeededGenerator,
                               options: (Int, Int, Int, UInt64) -> AttributionOptions) throws -> (primary: Int, verdicts: Int) {
        var primary = 0, verdicts = 0
        for _ in 0..<studies {
            let one = simulate(probes: 40, references: references, alternatives: alternatives, controls: 1, suspectLean: 0.5, families: true, &rng)
            var single = options(references, alternatives, 1, rng.next())
            single.minimumControls = 1
            if try AttributionStudy.analyse(options: single, similarities: one).tests[0].pValue <= 0.05 { primary += 1 }
            let three = simulate(probes: 60, references: references, alternatives: alternatives, controls: 3, suspectLean: 0.5, families: true, &rng)
            if try AttributionStudy.analyse(options: options(references, alternatives, 3, rng.next()), similarities: three).verdict == .evidence {
                verdicts += 1
            }
        }
        return (primary, verdicts)
    }

    /// A student of the family (a lean toward the family direction that every reference shares) gets
    /// a smaller p-value, more often than not, from one test on the mean than from testing each
    /// reference and combining (Bonferroni with Tarone's rule); the whole fingerprint alone, as the
    /// comparison is about the references. Fixed seed: a power comparison, not a validity check.
    @Test func aFamilyStudentGetsSmallerPValuesThroughTheMean() throws {
        var rng = SeededGenerator(seed: 20_261_122)
        let studies = 100
        var smaller = 0, throughMean = 0, eachAlone = 0
        for _ in 0..<studies {
            let data = Self.simulate(probes: 80, references: 2, alternatives: 2, controls: 3, suspectLean: 0.65, referenceNoise: 0.5, &rng)
            var options = Self.options(references: 2, alternatives: 2, controls: 3, seed: rng.next())
            options.familyViews = false
            let mean = try AttributionStudy.analyse(options: options, similarities: data)
            let perReference = try (1...2).map { r -> AttributionResult in
                // The one-reference study sees the same probes with the other reference left out.
                let keep = [0, r] + Array(3..<data.models.count)
                let single = Self.remodelled(data, models: keep.map { data.models[$0] }, keep: keep) { m in
                    Matrix(keep.map { x in keep.map { m[x, $0] } })
                }
                var o = options
                o.references = ["R\(r)"]
                return try AttributionStudy.analyse(options: o, similarities: single)
            }
            let combined = AttributionStudy.combine(perReference)
            if mean.pValue < combined.pValue { smaller += 1 }
            if mean.verdict == .evidence { throughMean += 1 }
            if combined.verdict == .evidence { eachAlone += 1 }
        }
        print("family student: p smaller through the mean in \(smaller)/\(studies); found \(throughMean) through the mean, \(eachAlone) testing each reference")
        #expect(smaller >= studies * 6 / 10)
        #expect(throughMean >= eachAlone)
    }

    @Test func referencesOfDifferentMakersOrAnAlternativeOfTheirOwnAreRefused() throws {
        var mixed = AttributionOptions(suspect: "s", references: ["gpt-4", "claude-v1"], alternativeReferences: ["palm-2"], controls: ["c"])
        #expect(throws: FingerprintError.self) { try mixed.validate() }
        mixed.referenceFamily = "OpenAI"
        try mixed.validate()
        let sameFamily = AttributionOptions(suspect: "s", references: ["gpt-4"], alternativeReferences: ["claude-v1", "gpt-3.5-turbo"], controls: ["c"])
        do {
            try sameFamily.validate()
            Issue.record("an alternative of the references' own family was accepted")
        } catch let error as FingerprintError {
            #expect(error.description.contains("gpt-3.5-turbo") && error.description.contains("--reference"))
        }
        try AttributionOptions(suspect: "s", references: ["gpt-3.5-turbo", "gpt-4"], alternativeReferences: ["claude-v1", "palm-2"],
                               controls: ["c"]).validate()
    }
}
