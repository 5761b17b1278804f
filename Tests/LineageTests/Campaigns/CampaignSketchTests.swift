import Foundation
import Testing
@testable import Lineage

@Suite struct CampaignSketchTests {
    /// MinHash's Jaccard estimate against the exact Jaccard of random sets (seed recorded).
    @Test func minHashEstimatesJaccard() {
        var rng = SeededGenerator(seed: 99)
        var worst = 0.0
        for trial in 0..<40 {
            let shared = Int(rng.next() % 3000), onlyA = Int(rng.next() % 3000) + 1, onlyB = Int(rng.next() % 3000) + 1
            var a = MinHash(), b = MinHash()
            for i in 0..<shared { let h = StableHash.mix(UInt64(trial * 100_000 + i)); a.insert(h); b.insert(h) }
            for i in 0..<onlyA { a.insert(StableHash.mix(UInt64(trial * 100_000 + 10_000 + i))) }
            for i in 0..<onlyB { b.insert(StableHash.mix(UInt64(trial * 100_000 + 20_000 + i))) }
            let exact = Double(shared) / Double(shared + onlyA + onlyB)
            worst = max(worst, abs(a.jaccard(b) - exact))
        }
        // 64 bins: the standard error is at most 0.0625; five of them is a failure.
        #expect(worst < 0.3)
    }

    @Test func bottomKKeepsTheSmallestHashesWhateverTheOrder() {
        var rng = SeededGenerator(seed: 7)
        let values = (0..<500).map { _ in "v\(rng.next() % 300)" }
        var forward = BottomK(k: 16), backward = BottomK(k: 16)
        for v in values { forward.insert(v) }
        for v in values.reversed() { backward.insert(v) }
        let naive = Set(values).map { BottomK.Entry(hash: StableHash.of($0), value: $0) }.sorted().prefix(16)
        #expect(forward == backward)
        #expect(forward.entries == Array(naive))
        // The distinct estimate is exact below k and near the truth above it.
        var small = BottomK(k: 64)
        for i in 0..<40 { small.insert("x\(i)"); small.insert("x\(i)") }
        #expect(small.distinctEstimate == 40)
        var large = BottomK(k: 64)
        for i in 0..<20_000 { large.insert("y\(i)") }
        #expect(abs(large.distinctEstimate / 20_000 - 1) < 0.5)
    }

    /// The CountSketch cosine against the exact cosine of the shingle count vectors.
    @Test func countSketchTracksCosineOfCounts() {
        let template = "solve the following problem think step by step and show every intermediate step before the final answer"
        var rng = SeededGenerator(seed: 3)
        func prompts(_ count: Int) -> [String] {
            (0..<count).map { _ in template + " " + SimulatedPrompts.sentence(&rng, words: 12) }
        }
        func exact(_ a: [String], _ b: [String]) -> Double {
            var ca: [UInt64: Double] = [:], cb: [UInt64: Double] = [:]
            for p in a { Shingles.forEach(p) { ca[$0, default: 0] += 1 } }
            for p in b { Shingles.forEach(p) { cb[$0, default: 0] += 1 } }
            let dot = ca.reduce(0.0) { $0 + $1.value * (cb[$1.key] ?? 0) }
            return dot / (ca.values.reduce(0) { $0 + $1 * $1 }.squareRoot() * cb.values.reduce(0) { $0 + $1 * $1 }.squareRoot())
        }
        func sketched(_ a: [String], _ b: [String]) -> Double {
            var sa = AccountSummary(account: "a"), sb = AccountSummary(account: "b")
            for p in a { sa.add(LogRecord(account: "a", time: 1, prompt: p, inputTokens: 1, outputTokens: 1, model: "m")) }
            for p in b { sb.add(LogRecord(account: "b", time: 1, prompt: p, inputTokens: 1, outputTokens: 1, model: "m")) }
            let ua = AccountFingerprint.unitSketch(sa), ub = AccountFingerprint.unitSketch(sb)
            return Double(zip(ua, ub).reduce(Float(0)) { $0 + $1.0 * $1.1 })
        }
        let a = prompts(30), b = prompts(30)
        let benign = (0..<30).map { _ in SimulatedPrompts.sentence(&rng, words: 25) }
        #expect(exact(a, b) > 0.6)
        #expect(abs(sketched(a, b) - exact(a, b)) < 0.15)
        #expect(abs(sketched(a, benign) - exact(a, benign)) < 0.2)
        #expect(sketched(a, b) > sketched(a, benign) + 0.3)
    }

    @Test func elicitationFindsReasoningAndCode() {
        func kinds(_ text: String) -> (Bool, Bool) {
            var e = Elicitation()
            Shingles.forEach(text, word: { e.word($0) }) { _ in }
            return (e.reasoning, e.code)
        }
        #expect(kinds("Think step by step and explain why.") == (true, false))
        #expect(kinds("Write a Python function that sorts a list") == (false, true))
        #expect(kinds("Write a haiku about rain") == (false, false))
    }
}
