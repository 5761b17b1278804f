import Foundation
import Testing
@testable import Lineage

/// The served-sample test against brute-force enumeration, simulated nulls and simulated copying.
@Suite struct ServedSampleTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("ServedSampleTests seed: \(seed)")
        return seed
    }()

    /// A toy teacher: each prompt has its own vocabulary, an answer is `length` words drawn from it.
    struct ToyTeacher {
        var vocabularySize = 30
        var length = 12

        func answer(prompt: Int, _ generator: inout SeededGenerator) -> String {
            (0..<length).map { _ in "w\(prompt)x\(generator.next() % UInt64(vocabularySize))" }.joined(separator: " ")
        }

        /// `text` with each word replaced, with probability `noise`, by a fresh word of the prompt.
        func noisyCopy(of text: String, prompt: Int, noise: Double, _ generator: inout SeededGenerator) -> String {
            text.split(separator: " ").map { word in
                Double(generator.next() >> 11) * 0x1.0p-53 < noise ? "w\(prompt)x\(generator.next() % UInt64(vocabularySize))" : String(word)
            }.joined(separator: " ")
        }
    }

    static let parameters = SamplingParameters(temperature: 0.7, topP: 1, maxTokens: 64)

    static func answer(_ text: String, seed: Int? = nil, snapshot: String? = "snap-1",
                       parameters: SamplingParameters = parameters) -> ServedSampleAnswer {
        var parameters = parameters
        parameters.seed = seed
        return ServedSampleAnswer(text: text, snapshot: snapshot, parameters: parameters,
                                  contentHash: ContentHash.sha256(text + "|\(seed ?? -1)"))
    }

    /// One simulated study: served and k fresh answers from the toy teacher; the suspect either
    /// copies the served answer with `noise` (copying) or an unserved sample of the same teacher (null).
    static func study(prompts: Int, fresh k: Int, copiesServed: Bool, noise: Double,
                      _ generator: inout SeededGenerator) -> [ServedSamplePrompt] {
        let teacher = ToyTeacher()
        return (0..<prompts).map { p in
            let served = teacher.answer(prompt: p, &generator)
            let fresh = (0..<k).map { _ in teacher.answer(prompt: p, &generator) }
            let source = copiesServed ? served : teacher.answer(prompt: p, &generator)
            let suspect = teacher.noisyCopy(of: source, prompt: p, noise: noise, &generator)
            return ServedSamplePrompt(probeID: "p\(p)", probeHash: "h\(p)", served: [answer(served)],
                                      fresh: fresh.enumerated().map { answer($1, seed: 1_000 * (p + 1) + $0) }, suspect: [suspect])
        }
    }

    @Test func midRanksShareTiedRanks() {
        #expect(RankPermutationTest.midRanks([0.3, 0.1, 0.3, 0.9]) == [2.5, 1, 2.5, 4])
        #expect(RankPermutationTest.midRanks([1, 1, 1]) == [2, 2, 2])
    }

    @Test func characterNGramCosineIsACosine() {
        let similarity = CharacterNGramCosine(n: 3)
        #expect(abs(similarity.similarity("The  cat SAT", "the cat sat") - 1) < 1e-12)
        #expect(similarity.similarity("abc", "xyz") == 0)
        #expect(similarity.similarity("", "abc") == 0)
        // "abcd" has grams abc, bcd; "abce" has abc, bce: cosine 1/2.
        #expect(abs(similarity.similarity("abcd", "abce") - 0.5) < 1e-12)
    }

    /// Brute force: every assignment of served labels, each prompt independently, equally likely.
    static func bruteForcePValue(_ prompts: [RankPermutationTest.Prompt]) -> Double {
        let table = RankPermutationTest(prompts: prompts)
        let observed = table.statistic
        func subsets(_ n: Int, _ m: Int) -> [[Int]] {
            guard m > 0 else { return [[]] }
            guard n >= m else { return [] }
            return subsets(n - 1, m - 1).map { $0 + [n - 1] } + subsets(n - 1, m)
        }
        var assignments: [[[Int]]] = [[]]
        for prompt in prompts {
            let choices = subsets(prompt.similarities.count, prompt.served.count)
            assignments = assignments.flatMap { prefix in choices.map { prefix + [$0] } }
        }
        let extreme = assignments.filter { assignment in
            let relabelled = zip(prompts, assignment).map { RankPermutationTest.Prompt(similarities: $0.similarities, served: $1) }
            return RankPermutationTest(prompts: relabelled).statistic >= observed - 1e-12
        }.count
        return Double(extreme) / Double(assignments.count)
    }

    @Test func exactAndMonteCarloMatchBruteForceEnumeration() {
        // Same n, one served answer per prompt, ties inside prompts: the exact convolution applies.
        let tied: [RankPermutationTest.Prompt] = [
            .init(similarities: [0.9, 0.2, 0.9, 0.1], served: [0]),
            .init(similarities: [0.5, 0.5, 0.5, 0.5], served: [2]),
            .init(similarities: [0.3, 0.8, 0.1, 0.4], served: [3]),
            .init(similarities: [0.7, 0.6, 0.2, 0.6], served: [1]),
            .init(similarities: [0.2, 0.4, 0.6, 0.8], served: [0]),
        ]
        let table = RankPermutationTest(prompts: tied)
        #expect(table.exactIsAvailable)
        let brute = Self.bruteForcePValue(tied)
        #expect(abs(table.exactPValue() - brute) < 1e-12)
        // Monte Carlo, B = 20,000: within 4.5 binomial standard errors of the enumeration.
        let replicates = 20_000
        let monteCarlo = table.monteCarlo(replicates: replicates, seed: seed).pValue
        #expect(abs(monteCarlo - brute) < 4.5 * (brute * (1 - brute) / Double(replicates)).squareRoot() + 2.0 / Double(replicates))

        // Several served answers and different numbers of fresh ones: Monte Carlo only.
        let mixed: [RankPermutationTest.Prompt] = [
            .init(similarities: [0.9, 0.8, 0.2, 0.1, 0.5], served: [0, 1]),
            .init(similarities: [0.4, 0.4, 0.1], served: [1]),
            .init(similarities: [0.6, 0.3, 0.2, 0.6], served: [3, 0]),
        ]
        let mixedTable = RankPermutationTest(prompts: mixed)
        #expect(!mixedTable.exactIsAvailable)
        let mixedBrute = Self.bruteForcePValue(mixed)
        let mixedMC = mixedTable.monteCarlo(replicates: replicates, seed: seed &+ 7).pValue
        #expect(abs(mixedMC - mixedBrute) < 4.5 * (mixedBrute * (1 - mixedBrute) / Double(replicates)).squareRoot() + 2.0 / Double(replicates))
    }

    /// Null studies: the suspect learnt from the same teacher, but from samples it was not served.
    /// Rejection at α = 0.05 must stay within 3 binomial standard errors of α, for both p-value methods.
    @Test func nullHoldsInSimulation() throws {
        var generator = SeededGenerator(seed: seed)
        let studies = 400, alpha = 0.05
        var rejections = (exact: 0, monteCarlo: 0)
        var options = ServedSampleOptions()
        options.replicates = 199
        options.bootstrap = 10
        for study in 0..<studies {
            let prompts = Self.study(prompts: 12, fresh: 3, copiesServed: false, noise: 0.3, &generator)
            options.seed = seed &+ UInt64(study)
            options.method = .exact
            if try ServedSampleTest.run(prompts, options: options).test.pValue <= alpha { rejections.exact += 1 }
            options.method = .monteCarlo
            if try ServedSampleTest.run(prompts, options: options).test.pValue <= alpha { rejections.monteCarlo += 1 }
        }
        let band = alpha + 3 * (alpha * (1 - alpha) / Double(studies)).squareRoot()
        print("served-sample null: \(studies) studies, rejection exact \(Double(rejections.exact) / Double(studies)), Monte Carlo \(Double(rejections.monteCarlo) / Double(studies)) (band ≤ \(band))")
        #expect(Double(rejections.exact) / Double(studies) <= band)
        #expect(Double(rejections.monteCarlo) / Double(studies) <= band)
    }

    /// The suspect copies the served answer with half its words replaced: found nearly always.
    @Test func copyingTheServedAnswerIsDetected() throws {
        var generator = SeededGenerator(seed: seed &+ 1)
        let studies = 50
        var rejections = 0
        var options = ServedSampleOptions()
        options.replicates = 999
        options.bootstrap = 200
        for study in 0..<studies {
            let prompts = Self.study(prompts: 20, fresh: 4, copiesServed: true, noise: 0.5, &generator)
            options.seed = seed &+ UInt64(study)
            let outcome = try ServedSampleTest.run(prompts, options: options)
            if outcome.test.pValue <= 0.05 { rejections += 1 }
            if study == 0 {
                #expect(outcome.test.effect!.estimate > 0.2)
                #expect(outcome.pValueMethod == "exact")
            }
        }
        print("served-sample power: \(rejections)/\(studies) studies rejected (20 prompts, k = 4, half the words replaced)")
        #expect(rejections >= 45)
    }

    @Test func inputsThatBreakExchangeabilityAreRefused() {
        let good = ServedSamplePrompt(probeID: "q1", probeHash: "h1", served: [Self.answer("served answer", seed: 1)],
                                      fresh: [Self.answer("fresh one", seed: 2), Self.answer("fresh two", seed: 3)],
                                      suspect: ["suspect answer"])
        #expect(throws: Never.self) { try ServedSampleTest.validate([good]) }
        func refused(_ change: (inout ServedSamplePrompt) -> Void, _ words: String) {
            var prompt = good
            change(&prompt)
            do {
                try ServedSampleTest.validate([prompt])
                Issue.record("accepted: \(words)")
            } catch let error as ServedSampleError {
                #expect(error.description.contains(words), "\(error)")
                #expect(error.probeID == "q1" && !error.fix.isEmpty)
            } catch { Issue.record("\(error)") }
        }
        refused({ $0.fresh.append($0.served[0]) }, "also used as a fresh sample")
        refused({ $0.fresh.append(Self.answer("served answer", seed: 9)) }, "word for word")
        refused({ $0.fresh = [] }, "no fresh answer")
        refused({ $0.suspect = [] }, "no suspect answer")
        refused({ $0.fresh[0].snapshot = "snap-2" }, "snapshot snap-1 but fresh answers come from snap-2")
        refused({ $0.fresh[0].snapshot = nil }, "not recorded")
        refused({ $0.fresh[1].parameters.temperature = 1.0 }, "sampling parameters differ")
        refused({ prompt in
            prompt.served[0].parameters.temperature = 0
            for i in prompt.fresh.indices { prompt.fresh[i].parameters.temperature = 0 }
        }, "temperature 0")
        refused({ $0.served[0].parameters.temperature = nil }, "records no temperature")
        refused({ $0.fresh[0].parameters.seed = 1 }, "served answer's seed")
        refused({ $0.fresh[1].parameters.seed = 2 }, "share a seed")
        var identical = ServedSampleOptions()
        identical.allowIdenticalAnswers = true
        var short = good
        short.fresh.append(Self.answer("served answer", seed: 9))
        #expect(throws: Never.self) { try ServedSampleTest.validate([short], options: identical) }
        // Across prompts: one seed drawing two prompts' served (or fresh) answers is refused, with the seed named.
        func second(served: Int, fresh: [Int]) -> ServedSamplePrompt {
            ServedSamplePrompt(probeID: "q2", probeHash: "h2", served: [Self.answer("another served answer", seed: served)],
                               fresh: fresh.map { Self.answer("another fresh \($0)", seed: $0) }, suspect: ["suspect answer"])
        }
        #expect(throws: Never.self) { try ServedSampleTest.validate([good, second(served: 11, fresh: [12, 13])]) }
        for (other, words) in [(second(served: 1, fresh: [12, 13]), "served answers of 2 prompts share seed 1"),
                               (second(served: 11, fresh: [12, 3]), "fresh answers of 2 prompts share seed 3")] {
            do {
                try ServedSampleTest.validate([good, other])
                Issue.record("accepted: \(words)")
            } catch let error as ServedSampleError {
                #expect(error.description.contains(words) && error.description.contains("not independent"), "\(error)")
            } catch { Issue.record("\(error)") }
        }
    }
}
