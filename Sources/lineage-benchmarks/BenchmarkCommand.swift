import ArgumentParser
import Foundation
import Lineage

@main
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage-benchmarks",
        abstract: "Measure Lineage's stages on this machine (run through scripts/benchmark).",
        discussion: """
            Build in release mode. Every figure is measured in this run, on this machine; the BLAS
            configuration and core type are printed with it. Set OPENBLAS_NUM_THREADS=1 for
            per-core figures.
            """,
        subcommands: [CorpusCommand.self, SgemmCommand.self, StagesCommand.self, MMDInputCommand.self])

    static func main() {
        BLASCoreSelection.reexecuteWithBetterCoreIfNeeded()
        BLASThreads.useOnePerCall()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Writes a synthetic study (one Lineage JSONL file per model) for the end-to-end benchmark.
struct CorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Generate a synthetic study of a real study's size as Lineage JSONL files.")

    @Option(help: "Number of models (families of 6: teachers, students, controls).") var models = 54
    @Option(help: "Number of prompts.") var prompts = 800
    @Option(help: "Samples per prompt and model.") var samples = 1
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output folder.") var output: String

    func run() throws {
        let corpus = SyntheticCorpus(models: models, prompts: prompts, samples: samples, seed: seed)
        let paths = try corpus.write(to: URL(fileURLWithPath: output))
        print(paths.joined(separator: "\n"))
    }
}

/// The machine's limit for the similarity products: single-precision GEMM, best of several runs.
struct SgemmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgemm", abstract: "Measure sgemm GFLOP/s on square matrices (the machine's limit).")

    @Option(help: "Matrix size.") var size = 2048
    @Option(help: "Repetitions (the best counts).") var repetitions = 5

    func run() throws {
        print(try LineageJSON.string(SgemmRate.measure(size: size, repetitions: repetitions)))
    }
}

struct SgemmRate: Codable {
    var size: Int
    var gflops: Double
    var seconds: Double
    var blas: BLASInfo

    static func measure(size: Int, repetitions: Int) -> SgemmRate {
        var rng = SeededGenerator(seed: 7)
        let a = Matrix(rows: size, columns: size, values: (0..<(size * size)).map { _ in rng.nextSignedUnitFloat() })
        let b = Matrix(rows: size, columns: size, values: (0..<(size * size)).map { _ in rng.nextSignedUnitFloat() })
        var best = Double.infinity
        for _ in 0..<repetitions {
            let seconds = Stopwatch.time { _ = a.multiplied(by: b) }
            best = min(best, seconds)
        }
        return SgemmRate(size: size, gflops: 2 * pow(Double(size), 3) / best / 1e9, seconds: best, blas: .current())
    }
}

enum Stopwatch {
    static func time(_ work: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try work()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// Writes the MMD benchmark's completions as JSON, so the Python peer tests the very same strings.
struct MMDInputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmd-input", abstract: "Write the MMD benchmark's completions as JSON for the Python peer.")

    @Option var prompts = 200
    @Option var samples = 5
    @Option var characters = 400
    @Option var output: String

    func run() throws {
        try MMDWorkload.write(prompts: prompts, samples: samples, characters: characters, seed: 11, to: output)
    }
}
