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

    /// The figures of the evaluation in `results/lineage-dev-evaluation.md` (`scripts/evaluate-lineage-dev`).
    public static let lineageDev: [MeasuredErrorRate] = []
}
