import Foundation
import Testing
@testable import Lineage

/// A level below what the resampling can reach must not pass silently (issue 12): B is raised
/// until 1/(1 + B) reaches it, or the study is refused with the fix.
@Suite struct ResamplingFloorTests {
    @Test func replicatesAreRaisedToTheNextFloorThatReachesTheLevel() throws {
        #expect(try ResamplingFloor.replicates(requested: 999, level: 0.05, option: "--x", alpha: 0.05) == (999, nil))
        #expect(try ResamplingFloor.replicates(requested: 999, level: 0.001, option: "--x", alpha: 0.001).replicates == 999)
        let raised = try ResamplingFloor.replicates(requested: 999, level: 0.0005, option: "--permutations", alpha: 0.0005)
        #expect(raised.replicates == 9_999)
        #expect(raised.note?.contains("--permutations raised from 999 to 9999") == true)
        // 1/(B+1) ≤ level for the value chosen, and not for the one below it.
        for level in [0.04, 0.003, 2.5e-5, 1.1e-6] {
            let b = try ResamplingFloor.replicates(requested: 99, level: level, option: "--x", alpha: level).replicates
            #expect(1 / Double(b + 1) <= level && 1 / Double((b - 9) / 10 + 1) > level, "\(level): \(b)")
        }
        #expect {
            try ResamplingFloor.replicates(requested: 9_999, level: 1e-7, option: "--replicates", alpha: 2e-7)
        } throws: { error in
            "\(error)".contains("fix: use a larger --alpha")
        }
    }

    /// The case: two clearly different models, `--alpha 0.0005` with the default 999
    /// permutations printed NO-EVIDENCE at p = 0.001. Now B is raised and the difference shows.
    @Test func equalityBelowTheDefaultFloorFindsAClearDifference() throws {
        var responses: [StoredResponse] = []
        for probe in 0..<20 {
            let content = ProbeContent(turns: ["Question \(probe)?"])
            for (model, style) in [("alpha-model", "Certainly! Here is the answer about"), ("beta-model", "zzz qqq xxx vvv")] {
                for sample in 0..<2 {
                    let text = "\(style) topic \(probe) sample \(sample)"
                    responses.append(StoredResponse(id: Int64(responses.count + 1), model: model, probeID: Int64(probe + 1),
                                                    probeHash: content.contentHash, probe: content, sampleIndex: sample,
                                                    parameters: SamplingParameters(), turns: [text], finishReason: "stop",
                                                    contentHash: ContentHash.sha256(model + text)))
                }
            }
        }
        var options = EqualityOptions(modelA: "alpha-model", modelB: "beta-model")
        options.alpha = 0.0005
        let result = try EqualityStudy.run(options: options, responses: responses)
        #expect(result.test.replicates == 9_999)
        #expect(result.verdict == .evidence, "p = \(result.pValue)")
        #expect(result.warnings.contains { $0.contains("raised from 999 to 9999") })
        #expect(result.test.pValueFloor == 1e-4)
        // The report states the floor, and that p sits on it.
        let html = HTMLReport.render(.equality(result), manifest: nil)
        #expect(html.contains("p-value floor") && html.contains("(p sits on it)") == result.test.pValueIsOnFloor)
        #expect(MarkdownReport.render(.equality(result), manifest: nil).contains("sits on its floor") == result.test.pValueIsOnFloor)
    }

    /// The other case: `attribute --alpha 0.00005` gave combined p = 1 with no hint
    /// (Tarone's rule dropped the primary test, whose floor 1e-4 could not reach α/2).
    @Test func attributionBelowTheDefaultFloorRaisesItsReplicates() throws {
        let folder = try TemporaryFolder()
        let store = try AttributionTests.store(in: folder, probes: 40, seed: 7)
        var options = AttributionTests.options(suspect: "student", controls: ["control-0", "control-1", "control-2"], seed: 7)
        options.alpha = 0.00005
        let responses = try store.responses(models: options.models)
        let result = try AttributionStudy.run(options: options, responses: responses)
        let primary = try #require(result.tests.first { $0.usedInVerdict == true })
        #expect(primary.replicates == 99_999)
        #expect(result.warnings.contains { $0.contains("--replicates raised from 999 to 99999") })
        #expect(primary.keptByTarone == true, "the primary test can reach its level now")
        #expect(result.pValue < 1)
    }

    @Test func attributionHoldsEachTestToAlphaOverItsFamily() {
        var options = AttributionOptions(suspect: "s", references: ["r"], controls: ["c1", "c2"])
        options.alpha = 0.00005
        #expect(options.worstCaseTestLevel == 0.000025)
        options.studiesCombined = 3
        #expect(abs(options.worstCaseTestLevel - 0.00005 / 6) < 1e-15)
    }

    @Test func aTestOnItsFloorSaysSo() {
        var test = HypothesisTestResult(name: "t", nullHypothesis: "h", alternative: "a", statistic: 1, pValue: 0.001,
                                        method: "m", replicates: 999)
        #expect(test.pValueFloor == 0.001 && test.pValueIsOnFloor)
        test.pValue = 0.002
        #expect(!test.pValueIsOnFloor)
        test.minimumAchievablePValue = 0.25
        #expect(test.pValueFloor == 0.25)
        #expect(ReportModel.floorCell(test) == "0.2500 (p sits on it)" || test.pValue > 0.25)
    }
}
