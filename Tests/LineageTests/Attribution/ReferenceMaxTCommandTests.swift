import Foundation
import Testing
@testable import Lineage

/// `lineage attribute` (the real binary) with two references of one maker, as the bare command adds
/// them from the annotations: one max-T test over both references by default (run 16 of
/// scripts/evaluate-lineage-dev), each reference alone with `--no-reference-max-t`, their mean with
/// `--reference-mean`, and the two asked for together refused.
@Suite(.serialized) struct ReferenceMaxTCommandTests {
    /// Two teachers of maker A, one of maker B, a suspect and three human-data controls.
    static func store(in folder: TemporaryFolder) throws -> String {
        try ScreenCommandTests.annotatedStore(in: folder, models: [
            ("teacher-a", #""maker": "Maker A", "trained_on": "original""#), ("teacher-a2", #""maker": "Maker A", "trained_on": "original""#),
            ("teacher-b", #""maker": "Maker B", "trained_on": "original""#), ("suspect-1", #""trained_on": "undisclosed""#),
            ("control-1", #""trained_on": "human""#), ("control-2", #""trained_on": "human""#), ("control-3", #""trained_on": "human""#),
        ], seed: 16)
    }

    /// The names and methods of the primary (difference-in-differences) tests of one run.
    static func primaryTests(_ arguments: [String], in folder: TemporaryFolder) throws -> [(name: String, method: String)] {
        let run = try LineageBinary.run(arguments + ["--json"], in: folder, mergingStandardError: false)
        try #require([0, 10, 11].contains(run.status), "exit \(run.status): \(run.output)")
        let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as! [String: Any]
        #expect(object["references"] as? [String] == ["teacher-a", "teacher-a2"])
        return (object["tests"] as! [[String: Any]]).compactMap { test in
            let name = test["name"] as! String
            return name.hasPrefix("difference-in-differences") ? (name, test["method"] as! String) : nil
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RecomputeTests.binary), "needs the lineage binary (swift build)"))
    func severalReferencesShareOneMaxTTestByDefault() throws {
        let folder = try TemporaryFolder()
        let store = try Self.store(in: folder)
        let common = ["attribute", "--store", store, "--suspect", "suspect-1", "--reference", "teacher-a", "--replicates", "199", "--bootstrap", "199"]

        let byDefault = try Self.primaryTests(common, in: folder)
        #expect(byDefault.count == 1)
        // Six views toward each of the two references, in one test.
        #expect(byDefault.first?.method.contains("over 12 views") == true)
        #expect(byDefault.first?.method.contains("toward teacher-a2") == true)

        let eachAlone = try Self.primaryTests(common + ["--no-reference-max-t"], in: folder)
        #expect(eachAlone.map(\.name) == ["difference-in-differences lean (reference teacher-a)", "difference-in-differences lean (reference teacher-a2)"])
        #expect(eachAlone.allSatisfy { $0.method.contains("over 6 views") })

        let mean = try Self.primaryTests(common + ["--reference-mean"], in: folder)
        #expect(mean.count == 1 && mean.first?.method.contains("over 6 views") == true)

        let both = try LineageBinary.run(common + ["--reference-mean", "--reference-max-t"], in: folder)
        #expect(both.status == 2)
        #expect(both.output.contains("--reference-max-t and --reference-mean") && both.output.contains("fix:"))
    }
}
