import ArgumentParser
import Foundation
import Lineage

/// Times each stage of the pipeline on the responses of a store, in this process, and prints one
/// JSON object: throughput per stage and the similarity products' GFLOP/s against the sgemm rate
/// measured in the same run.
struct StagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stages",
        abstract: "Time featurisation, similarity, resampling tests and the MMD test on a store's responses.")

    @Option(help: "The store whose responses are featurised (e.g. an imported synthetic study).") var store: String
    @Option(help: "Sign-flip and bootstrap replicates.") var replicates = 9_999
    @Option(help: "MMD test: prompts, samples per prompt and model, characters per completion, permutations.")
    var mmdPrompts = 200
    @Option var mmdSamples = 5
    @Option var mmdCharacters = 400
    @Option var mmdPermutations = 999
    @Option(help: "Size of the square sgemm that measures the machine's limit.") var sgemmSize = 2048

    struct Report: Codable {
        var blas: BLASInfo
        var sgemm: SgemmRate
        var featurisation: Featurisation
        var similarity: Similarity
        var resampling: Resampling
        var mmd: MMD
    }

    struct Featurisation: Codable {
        var responses: Int
        var turns: Int
        var megabytes: Double
        var seconds: Double
        var responsesPerSecond: Double
        var megabytesPerSecond: Double
        /// Seconds per family, measured one family at a time over the same turns.
        var families: [String: FamilyRate]
    }

    struct FamilyRate: Codable {
        var seconds: Double
        var megabytesPerSecond: Double
    }

    struct Similarity: Codable {
        var models: Int
        var probes: Int
        /// Mean columns of the compacted fingerprint blocks (the columns some model uses on a probe and turn).
        var columns: Int
        /// The whole per-probe similarity build (featurising, writing fingerprint rows, products).
        var builderSeconds: Double
        /// The products alone, timed inside the builder: one `sgemm` per probe and turn on the compacted block.
        var productSeconds: Double
        var productGflops: Double
        var fractionOfSgemm: Double
        /// The kernel's own rate on a dense random matrix of the blocks' mean shape (models × columns),
        /// multiplied by its transpose as the builder does: what sgemm can do at this shape.
        var sameShapeSgemmGflops: Double
        var fractionOfSameShapeSgemm: Double
    }

    struct Resampling: Codable {
        var probes: Int
        var comparisons: Int
        var replicates: Int
        var signFlipSeconds: Double
        var signFlipReplicatesPerSecond: Double
        var bootstrapSeconds: Double
        var bootstrapReplicatesPerSecond: Double
    }

    struct MMD: Codable {
        var prompts: Int
        var samplesPerPrompt: Int
        var characters: Int
        var permutations: Int
        var kernel: String
        var seconds: Double
        var statistic: Double
    }

    func run() throws {
        let sgemm = SgemmRate.measure(size: sgemmSize, repetitions: 5)
        let responses = try ResponseStore(path: store).responses()
        let models = Array(Set(responses.map(\.model))).sorted()
        let report = Report(
            blas: .current(), sgemm: sgemm,
            featurisation: featurisation(responses),
            similarity: try similarity(responses, models: models, sgemm: sgemm),
            resampling: resampling(probes: Set(responses.map(\.probeID)).count, comparisons: max(1, models.count - 3)),
            mmd: try mmd())
        print(try LineageJSON.string(report))
    }

    func featurisation(_ responses: [StoredResponse]) -> Featurisation {
        let turns = responses.flatMap { response in
            response.turns.enumerated().map { (text: $1, prompt: response.probe.turns[min($0, response.probe.turns.count - 1)]) }
        }
        let megabytes = Double(turns.reduce(0) { $0 + $1.text.utf8.count }) / 1e6
        var sink = 0
        let seconds = Stopwatch.time {
            for turn in turns { sink &+= TextFeatures(text: turn.text, prompt: turn.prompt).length }
        }
        var families: [String: FamilyRate] = [:]
        for family in TextFeatures.Family.allCases {
            let familySeconds = Stopwatch.time {
                for turn in turns { sink &+= TextFeatures.extract(family, text: turn.text, prompt: turn.prompt) }
            }
            families[family.rawValue] = FamilyRate(seconds: familySeconds, megabytesPerSecond: megabytes / familySeconds)
        }
        if sink == 42 { print("") }  // keeps the work observable to the optimiser
        return Featurisation(responses: responses.count, turns: turns.count, megabytes: megabytes, seconds: seconds,
                             responsesPerSecond: Double(responses.count) / seconds, megabytesPerSecond: megabytes / seconds,
                             families: families)
    }

    func similarity(_ responses: [StoredResponse], models: [String], sgemm: SgemmRate) throws -> Similarity {
        var built: ProbeSimilarities?
        var timing = FingerprintBuilder.ProductTiming()
        let builderSeconds = try Stopwatch.time {
            built = try FingerprintBuilder().similarities(of: responses, models: models, timing: &timing)
        }
        let probes = built?.probes.count ?? 0
        // The products as the builder does them: one sgemm per probe and turn on the models x (columns in use)
        // fingerprint block; flops counted on those compact blocks (2n²k each, what sgemm does).
        let gflops = timing.flops / timing.seconds / 1e9
        let columns = timing.products > 0 ? timing.columns / timing.products : 0
        var rng = SeededGenerator(seed: 9)
        let block = Matrix(rows: models.count, columns: max(1, columns),
                           values: (0..<(models.count * max(1, columns))).map { _ in rng.nextSignedUnitFloat() })
        let repetitions = max(5, Int(2e9 / (2 * Double(models.count * models.count) * Double(max(1, columns)))))
        var best = Double.infinity
        for _ in 0..<3 {
            best = min(best, Stopwatch.time { for _ in 0..<repetitions { _ = block.multiplied(by: block, transposeOther: true) } })
        }
        let sameShape = 2 * Double(models.count * models.count) * Double(max(1, columns)) * Double(repetitions) / best / 1e9
        return Similarity(models: models.count, probes: probes, columns: columns,
                          builderSeconds: builderSeconds, productSeconds: timing.seconds, productGflops: gflops,
                          fractionOfSgemm: gflops / sgemm.gflops, sameShapeSgemmGflops: sameShape,
                          fractionOfSameShapeSgemm: gflops / sameShape)
    }

    func resampling(probes: Int, comparisons: Int) -> Resampling {
        var rng = SeededGenerator(seed: 5)
        let effects = Matrix(rows: probes, columns: comparisons,
                             values: (0..<(probes * comparisons)).map { _ in rng.nextSignedUnitFloat() })
        let signFlip = Stopwatch.time { _ = PairedResampling.signFlip(effects: effects, replicates: replicates, seed: 1) }
        let bootstrap = Stopwatch.time { _ = PairedResampling.bootstrapMeans(effects: effects, replicates: replicates, seed: 2) }
        return Resampling(probes: probes, comparisons: comparisons, replicates: replicates,
                          signFlipSeconds: signFlip, signFlipReplicatesPerSecond: Double(replicates) / signFlip,
                          bootstrapSeconds: bootstrap, bootstrapReplicatesPerSecond: Double(replicates) / bootstrap)
    }

    func mmd() throws -> MMD {
        let (a, b) = MMDWorkload.completions(prompts: mmdPrompts, samples: mmdSamples, characters: mmdCharacters, seed: 11)
        let kernel = StringKernel.kSpectrum(k: 5, cumulative: true)
        var statistic = 0.0
        let seconds = try Stopwatch.time {
            statistic = try MMDTest.run(a: a, b: b, kernel: kernel, permutations: mmdPermutations, seed: 1).statistic
        }
        return MMD(prompts: mmdPrompts, samplesPerPrompt: mmdSamples, characters: mmdCharacters,
                   permutations: mmdPermutations, kernel: kernel.description, seconds: seconds, statistic: statistic)
    }
}

/// Completions for the MMD benchmark: two "models" that write the same kind of text from slightly
/// different character distributions, so the kernel sees realistic overlap.
enum MMDWorkload {
    static func completions(prompts: Int, samples: Int, characters: Int, seed: UInt64) -> ([[String]], [[String]]) {
        var rng = SeededGenerator(seed: seed)
        let words = ["the", "model", "answer", "is", "a", "of", "to", "and", "in", "that", "language", "data", "we",
                     "this", "can", "be", "with", "for", "as", "on", "are", "it", "not", "more", "example", "here"]
        func completion(_ bias: Int) -> String {
            var text = ""
            while text.unicodeScalars.count < characters {
                let index = Int(rng.next() % UInt64(words.count))
                text += words[(index + (rng.next() % 4 == 0 ? bias : 0)) % words.count] + " "
            }
            return String(text.prefix(characters))
        }
        let a = (0..<prompts).map { _ in (0..<samples).map { _ in completion(0) } }
        let b = (0..<prompts).map { _ in (0..<samples).map { _ in completion(1) } }
        return (a, b)
    }

    /// Writes the same completions as JSON ({"a": [[...]], "b": [[...]]}) for the Python peer.
    static func write(prompts: Int, samples: Int, characters: Int, seed: UInt64, to path: String) throws {
        let (a, b) = completions(prompts: prompts, samples: samples, characters: characters, seed: seed)
        let data = try JSONSerialization.data(withJSONObject: ["a": a, "b": b])
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
