import Foundation
import Testing
@testable import Lineage

/// `lineage attribute` (the real binary) with two references of one maker, as the bare command adds
/// them from the annotations: one max-T test over both references by default (run 16 of
/// scripts/evaluate-lineage-dev), each reference alone with `--no-reference-max-t`, their mean with
/// `--reference-mean`, and the two asked for together refused.
@Suite(.serialized) struct ReferenceMaxTCommandTests {
    static func store(in folder: TemporaryFolder) throws -> String {
        var rng = SeededGenerator(seed: 16)
        let vocabulary = (0..<60).map { "w\($0)" }
        let models = ["teacher-a", "teacher-a2", "teacher-b", "suspect-1", "control-1", "control-2", "control-3"]
        var lines: [String] = []
        for probe in 0..<24 {
            for model in models {
                let words = (0..<12).map { _ in vocabulary[Int(rng.next() % 60)] }.joined(separator: " ")
                let object: [String: Any] = ["model": model, "probe_id": "q\(probe)", "prompt": "Question number \(probe)?",
                                             "response": "\(model.prefix(7)) says \(words)."]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        let transcript = try folder.write("t.jsonl", lines.joined(separator: "\n") + "\n")
        let labels = try folder.write("labels.jsonl", """
            {"model": "teacher-a", "maker": "Maker A", "trained_on": "original"}
            {"model": "teacher-a2", "maker": "Maker A", "trained_on": "original"}
            {"model": "teacher-b", "maker": "Maker B", "trained_on": "original"}
            {"model": "suspect-1", "trained_on": "undisclosed"}
            {"model": "control-1", "trained_on": "human"}
            {"model": "control-2", "trained_on": "human"}
            {"model": "control-3", "trained_on": "human"}

            """)
        let store = folder.path("s.sqlite")
        try #require(try RecomputeTests.lineage(["import", "--store", store, transcript], in: folder).status == 0)
        try #require(try RecomputeTests.lineage(["models", "annotate", "--store", store, "--labels", labels], in: folder).status == 0)
        return store
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
