import Foundation

/// How often the method finds known students and accuses known innocents on labelled real data, at
/// its default settings: printed beside every attribution verdict, so that a reader can weigh it.
public struct MeasuredErrorRate: Codable, Sendable, Equatable {
    public var dataset: String
    /// How the studies were specified, e.g. "bare command on an annotated store".
    public var protocolName: String
    public var studentsFound: Int
    public var students: Int
    public var falseAlarms: Int
    public var negatives: Int
    public var source: String

    public var truePositiveRate: Double { students > 0 ? Double(studentsFound) / Double(students) : .nan }
    public var falsePositiveRate: Double { negatives > 0 ? Double(falseAlarms) / Double(negatives) : .nan }

    public var summary: String {
        "\(dataset) (\(protocolName)): found \(studentsFound) of \(students) known students, "
            + "accused \(falseAlarms) of \(negatives) known innocent pairs"
    }

    /// The figures of the evaluation in `results/lineage-dev-evaluation.md` (`scripts/evaluate-lineage-dev`,
    /// run 16: the bare command on an annotated store, default settings, α = 0.05). Update them with the
    /// evaluation whenever the method changes.
    public static let lineageDev: [MeasuredErrorRate] = [
        .init(dataset: "lineage-dev mt_bench (80 prompts)", protocolName: "bare command, annotated store", studentsFound: 4, students: 12,
              falseAlarms: 0, negatives: 45, source: source),
        .init(dataset: "lineage-dev arena_bench_v1 (300 prompts)", protocolName: "bare command, annotated store", studentsFound: 4, students: 5,
              falseAlarms: 0, negatives: 16, source: source),
        .init(dataset: "lineage-dev vicuna_bench (80 prompts)", protocolName: "bare command, annotated store", studentsFound: 0, students: 3,
              falseAlarms: 0, negatives: 3, source: source),
        .init(dataset: "lineage-dev arena_hard_v01 (496 prompts)", protocolName: "bare command, annotated store", studentsFound: 1, students: 4,
              falseAlarms: 1, negatives: 20, source: source),
        // The zoo: students of known teacher and dose made on this machine (scripts/zoo, samples/zoo.jsonl).
        .init(dataset: "zoo: SmolLM2-135M fine-tuned on Qwen2.5-Coder-0.5B's answers at 100, 30 and 10% and scrubbed (252 probes)",
              protocolName: "named panel: the base, its round trip and the self-distilled student as controls, reference-centric",
              studentsFound: 1, students: 4, falseAlarms: 0, negatives: 1, source: "results/zoo.md, session 10"),
    ]

    static let source = "results/lineage-dev-evaluation.md, run 16"
}
