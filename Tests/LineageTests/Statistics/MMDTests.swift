import Foundation
import Testing
@testable import Lineage

@Suite struct MMDTests {
    let seed: UInt64 = {
        let seed = UInt64.random(in: 0...UInt64(UInt32.max))
        print("MMDTests seed: \(seed)")
        return seed
    }()

    /// Statistics computed by the reference implementation (PyPI model-equality-testing 0.0.2,
    /// `tests.mmd_hamming` / `tests.mmd_kspectrum`, strings as code points right-padded with -1 to
    /// the longest) on exactly these completions.
    @Test func statisticAgreesWithTheReferenceImplementation() throws {
        let a = [["the cat sat", "the cat sat down", "a cat sat"], ["hello world", "hello there"], ["xyz", "xyzzy"]]
        let b = [["the dog sat", "the cat ran"], ["hello world!", "goodbye"], ["xyz", "abc", "xy"]]
        let cases: [(StringKernel, Double)] = [
            (.hamming, -0.12343750000000009),
            (.kSpectrum(k: 5, cumulative: true), -0.05005355704123504),
            (.kSpectrum(k: 3, cumulative: false), -0.0530736474487562),
        ]
        for (kernel, expected) in cases {
            let outcome = try MMDTest.run(a: a, b: b, kernel: kernel, permutations: 99, seed: seed)
            #expect(abs(outcome.statistic - expected) < 1e-12, "\(kernel): \(outcome.statistic) vs \(expected)")
        }
    }

    /// A little stochastic "model": per prompt, words drawn from a vocabulary with a temperature-like skew.
    static func sample(prompt: Int, skew: Double, _ rng: inout SeededGenerator) -> String {
        let vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]
        return (0..<8).map { _ in
            var u = Double(rng.next() >> 11) * 0x1.0p-53
            var index = 0
            let weights = vocabulary.indices.map { exp(-skew * Double(($0 + prompt) % vocabulary.count)) }
            let total = weights.reduce(0, +)
            while index < weights.count - 1 && u > weights[index] / total { u -= weights[index] / total; index += 1 }
            return vocabulary[index]
        }.joined(separator: " ")
    }

    static func completions(prompts: Int, samples: Int, skew: Double, _ rng: inout SeededGenerator) -> [[String]] {
        (0..<prompts).map { p in (0..<samples).map { _ in sample(prompt: p, skew: skew, &rng) } }
    }

    @Test func sameModelRejectsAtMostAlphaAndDifferentModelsAreFound() throws {
        var rng = SeededGenerator(seed: seed)
        var sameRejections = 0
        let runs = 100
        for _ in 0..<runs {
            let a = Self.completions(prompts: 10, samples: 3, skew: 0.5, &rng)
            let b = Self.completions(prompts: 10, samples: 3, skew: 0.5, &rng)
            if try MMDTest.run(a: a, b: b, kernel: .kSpectrum(k: 3, cumulative: true), permutations: 99, seed: rng.next()).pValue <= 0.05 {
                sameRejections += 1
            }
        }
        print("MMD, same model: \(sameRejections)/\(runs) rejections at 0.05")
        // Upper end of a one-sided 99.99% binomial band around α (a flaky CI test helps nobody).
        #expect(Double(sameRejections) / Double(runs) <= 0.05 + 3.7 * (0.05 * 0.95 / Double(runs)).squareRoot())
        var found = [0, 0]
        for _ in 0..<10 {
            let a = Self.completions(prompts: 20, samples: 4, skew: 0.5, &rng)
            let b = Self.completions(prompts: 20, samples: 4, skew: 1.5, &rng)
            for (i, kernel) in [StringKernel.hamming, .kSpectrum(k: 5, cumulative: true)].enumerated()
                where try MMDTest.run(a: a, b: b, kernel: kernel, permutations: 99, seed: rng.next()).pValue <= 0.05 {
                found[i] += 1
            }
        }
        print("MMD, different models found: hamming \(found[0])/10, 5-spectrum \(found[1])/10")
        #expect(found[0] >= 8 && found[1] >= 8)
    }

    @Test func oneSamplePerPromptIsRefused() {
        #expect(throws: MMDTest.InsufficientSamples.self) {
            try MMDTest.run(a: [["x"], ["y"]], b: [["x"], ["z"]], kernel: .hamming, permutations: 99, seed: 1)
        }
    }
}
