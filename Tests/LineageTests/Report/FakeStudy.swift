import Foundation
@testable import Lineage

/// Test-only, clearly fake results over a small imported store: four made-up models answering
/// six probes, one answer planting a `<script>`, one carrying Markdown fences. The numbers in
/// the results are invented; only their shape is real.
struct FakeStudy {
    static let models = ["fake-suspect", "fake-reference", "fake-control-1", "fake-control-2"]
    static let planted = "Sure! <script>alert(\"pwned\")</script> <img src=x onerror=alert(1)> & done"
    static let fenced = "Here is code:\n```python\nprint('hi')\n```\nand ```` four ticks"

    let folder: TemporaryFolder
    let store: ResponseStore
    let responses: [StoredResponse]
    let probeHashes: [String: String]   // probe id → content hash

    init() throws {
        folder = try TemporaryFolder()
        var lines: [String] = []
        for probe in 0..<6 {
            for (index, model) in Self.models.enumerated() {
                var answer = "Answer of \(model) to question \(probe): " + String(repeating: "word\(index) style\(probe % 3) ", count: 3 + probe)
                if model == "fake-suspect" && probe == 2 { answer = Self.planted }
                if model == "fake-reference" && probe == 2 { answer = Self.fenced }
                let object: [String: Any] = [
                    "model": model, "probe_id": "q\(probe)", "prompt": "Question \(probe): explain <b>thing</b> number \(probe).",
                    "response": answer, "probe_set": "fake-set", "probe_set_version": "0.1",
                    "category": probe < 3 ? "writing" : "coding",
                ]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        let file = try folder.write("fake.jsonl", lines.joined(separator: "\n") + "\n")
        store = try folder.store()
        _ = try TranscriptImporter().importFiles([file], into: store, command: "lineage import fake.jsonl")
        responses = try store.responses()
        var hashes: [String: String] = [:]
        for response in responses {
            let id = String(response.probe.turns[0].split(separator: ":")[0].split(separator: " ")[1])
            hashes["q\(id)"] = response.probeHash
        }
        probeHashes = hashes
    }

    static let createdAt = Date(timeIntervalSince1970: 1_790_000_000)

    static func reproducibility(_ command: String) -> Reproducibility {
        Reproducibility(command: command, toolVersion: "test", blas: BLASInfo(configuration: "fake BLAS", coreType: "Haswell", threads: 1),
                        seed: 42, store: "fake.sqlite", configuration: ["alpha": "0.05", "bootstrap": "999"], createdAt: createdAt)
    }

    var perProbe: [ProbeEffect] {
        (0..<6).map { i in
            ProbeEffect(probeID: "q\(i)", probeHash: probeHashes["q\(i)"]!, category: i < 3 ? "writing" : "coding",
                        effect: [0.02, -0.01, 0.09, 0.04, 0.0, 0.015][i], ciLow: -0.02 + Double(i) * 0.005, ciHigh: 0.1)
        }
    }

    var attribution: AttributionResult {
        let effect = EffectEstimate(description: "FAKE mean per-probe lean of S toward R", estimate: 0.027, ciLow: 0.004,
                                    ciHigh: 0.05, level: 0.95, method: "percentile bootstrap over probes, B = 999")
        let null = (0..<200).map { sin(Double($0) * 1.7) * 0.02 }
        let test = HypothesisTestResult(
            name: "relative closeness (FAKE)", nullHypothesis: "S is no closer to R than to each control",
            alternative: "S is closer to R than to every control", statistic: 0.027, pValue: 0.012, effect: effect,
            sampleSizes: ["probes": 6, "controls": 2], method: "sign-flip permutation over probes", replicates: 999, seed: 42,
            nullDistribution: null, perProbe: perProbe)
        let second = HypothesisTestResult(
            name: "difference in differences (FAKE)", nullHypothesis: "S leans toward R no more than the controls do",
            alternative: "S leans toward R more than every control", statistic: 0.011, pValue: 0.03, method: "permutation",
            replicates: 999, seed: 43)
        return AttributionResult(
            question: "Was fake-suspect trained on fake-reference's outputs?", suspect: "fake-suspect",
            reference: "fake-reference", controls: ["fake-control-1", "fake-control-2"], verdict: .evidence,
            verdictExplanation: "FAKE result for tests: not computed from data.", alpha: 0.05, pValue: 0.03,
            combination: "intersection-union (largest p)", effect: effect, probes: 6,
            samples: Dictionary(uniqueKeysWithValues: Self.models.map { ($0, 6) }), tests: [test, second],
            power: PowerEstimate(effectThatMatters: 0.02, power: 0.62, probesUsed: 6, probesNeeded: 14, method: "simulation"),
            controlDiagnostics: ["fake-control-2": "leans toward fake-reference itself"], warnings: ["FAKE warning <b>bold</b>"],
            similarity: SimilarityMatrix(models: Self.models, values: [[1, 0.8, 0.5, 0.4], [0.8, 1, 0.45, 0.5], [0.5, 0.45, 1, 0.6], [0.4, 0.5, 0.6, 1]]),
            probeSets: [ProbeSetUsage(name: "fake-set", version: "0.1", contentHash: "abc", probesPerCategory: ["writing": 3, "coding": 3])],
            cleaning: ["probe echo": 1], reproducibility: Self.reproducibility("lineage attribute --suspect fake-suspect (FAKE)"))
    }

    var equality: EqualityResult {
        let test = HypothesisTestResult(
            name: "MMD (FAKE)", nullHypothesis: "A and B answer from the same distribution", alternative: "they differ",
            statistic: 0.3, pValue: 0.001, effect: EffectEstimate(description: "MMD²", estimate: 0.3, ciLow: 0.2, ciHigh: 0.4, level: 0.95, method: "bootstrap"),
            sampleSizes: ["probes": 6], method: "permutation within prompts", replicates: 999, seed: 5,
            nullDistribution: (0..<100).map { Double($0) / 1000 }, perProbe: perProbe)
        return EqualityResult(
            question: "Do fake-suspect and fake-reference serve the same model?", modelA: "fake-suspect", modelB: "fake-reference",
            verdict: .evidence, verdictExplanation: "FAKE.", alpha: 0.05, pValue: 0.001, test: test, probes: 6,
            samples: ["fake-suspect": 6, "fake-reference": 6], power: nil, warnings: [], probeSets: [],
            reproducibility: Self.reproducibility("lineage equality (FAKE)"))
    }

    var comparison: ModelComparisonResult {
        ModelComparison.compare(WordProfileDistance(responses: responses), replicates: 20, seed: 3,
                                reproducibility: Self.reproducibility("lineage tree (test)"))
    }
}
