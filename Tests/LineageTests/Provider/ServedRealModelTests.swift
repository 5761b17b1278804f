import Foundation
import Testing
@testable import Lineage

/// The served-sample test's null on a real model: the teacher itself, re-sampled, as the suspect.
///
/// Needs a store holding many samples per prompt of one real model (LINEAGE_SERVED_NULL_STORE,
/// model LINEAGE_SERVED_NULL_MODEL, default smollm2), e.g. collected with
/// `lineage run PROBES --model smollm2 --samples 12 --temperature 0.7` against `scripts/local-models`.
/// Each null study draws, per prompt and without replacement from that prompt's samples, the
/// served answer, k = 4 fresh answers and the suspect's answer. Studies share the pool, so they
/// are not independent; each one is an exact null study. Skipped without the store.
@Suite struct ServedRealModelTests {
    @Test func nullHoldsWithTheTeacherResampledAsSuspect() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let path = environment["LINEAGE_SERVED_NULL_STORE"] else {
            print("served-sample real-model null: skipped (set LINEAGE_SERVED_NULL_STORE)")
            return
        }
        let model = environment["LINEAGE_SERVED_NULL_MODEL"] ?? "smollm2"
        let studies = Int(environment["LINEAGE_SERVED_NULL_STUDIES"] ?? "") ?? 500
        let store = try ResponseStore(path: path)
        let byProbe = Dictionary(grouping: try store.responses(models: [model]), by: \.probeHash).filter { $0.value.count >= 6 }
        let probes = byProbe.keys.sorted()
        try #require(probes.count >= 10, "need at least 10 prompts with 6 or more samples of \(model)")
        let seed = UInt64(environment["LINEAGE_SERVED_NULL_SEED"] ?? "") ?? UInt64.random(in: 0...UInt64(UInt32.max))
        print("served-sample real-model null seed: \(seed)")
        var generator = SeededGenerator(seed: seed)
        var options = ServedSampleOptions()
        options.replicates = 199
        options.bootstrap = 10
        options.allowIdenticalAnswers = true   // real short answers coincide; ties are mid-ranked
        let alpha = 0.05
        var rejections = 0, copierRejections = 0
        var identical = 0
        for study in 0..<studies {
            var copier: [String] = []
            let prompts = probes.map { hash -> ServedSamplePrompt in
                var pool = byProbe[hash]!
                for i in 0..<6 { pool.swapAt(i, i + Int(generator.next() % UInt64(pool.count - i))) }
                func answer(_ r: StoredResponse) -> ServedSampleAnswer {
                    // lineage run stores no seed without --seed; each answer is an independent draw.
                    ServedSampleAnswer(text: r.turns.joined(separator: "\n\n"), snapshot: model, parameters: r.parameters.withoutSeed,
                                       contentHash: r.contentHash)
                }
                if pool[1...4].contains(where: { $0.turns == pool[0].turns }) { identical += 1 }
                // Semi-synthetic power: a suspect that keeps each word of the served answer with
                // probability 1/2 and otherwise writes a word of its own answer.
                let own = pool[5].turns.joined(separator: " ").split(separator: " ")
                copier.append(pool[0].turns.joined(separator: " ").split(separator: " ").map { word in
                    own.isEmpty || generator.next() % 2 == 0 ? String(word) : String(own[Int(generator.next() % UInt64(own.count))])
                }.joined(separator: " "))
                return ServedSamplePrompt(probeID: String(hash.prefix(12)), probeHash: hash, served: [answer(pool[0])],
                                          fresh: pool[1...4].map(answer), suspect: [pool[5].turns.joined(separator: "\n\n")])
            }
            options.seed = seed &+ UInt64(study)
            if try ServedSampleTest.run(prompts, options: options).test.pValue <= alpha { rejections += 1 }
            if study < 100 {
                let copying = zip(prompts, copier).map { prompt, text in var p = prompt; p.suspect = [text]; return p }
                if try ServedSampleTest.run(copying, options: options).test.pValue <= alpha { copierRejections += 1 }
            }
        }
        let rate = Double(rejections) / Double(studies)
        let band = alpha + 3 * (alpha * (1 - alpha) / Double(studies)).squareRoot()
        print("served-sample real-model null: \(model), \(probes.count) prompts, \(studies) studies (k = 4, exact p): rejection \(rate) at α = \(alpha) (band ≤ \(band)); a fresh answer equal to the served one in \(identical) of \(studies * probes.count) prompt draws")
        print("served-sample real-model power: a suspect keeping half the served answer's words is found in \(copierRejections) of \(min(100, studies)) studies")
        #expect(rate <= band)
    }
}
