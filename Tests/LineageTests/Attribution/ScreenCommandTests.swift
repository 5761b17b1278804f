import Foundation
import Testing
@testable import Lineage

/// `lineage screen` (the real binary) on an annotated store: its JSON matches lineage.screen/v1, and
/// CSV, JUnit and --exit-zero follow the convention of the other verdict commands.
@Suite(.serialized) struct ScreenCommandTests {
    /// The screen's models: two teachers, two suspects and three human-data controls, with what
    /// their annotations say (the rest of each labels line after its "model").
    static let screenModels: [(name: String, annotation: String)] = [
        ("teacher-a", #""maker": "Maker A", "trained_on": "original""#), ("teacher-b", #""maker": "Maker B", "trained_on": "original""#),
        ("suspect-1", #""trained_on": "undisclosed""#), ("suspect-2", #""trained_on": "undisclosed""#),
        ("control-1", #""trained_on": "human""#), ("control-2", #""trained_on": "human""#), ("control-3", #""trained_on": "human""#),
    ]

    /// A store (imported and annotated through the binary) of 24 probes answered by `models` with
    /// random words drawn from `seed`; returns its path.
    static func annotatedStore(in folder: TemporaryFolder, models: [(name: String, annotation: String)] = screenModels,
                               seed: UInt64 = 23) throws -> String {
        var rng = SeededGenerator(seed: seed)
        let vocabulary = (0..<60).map { "w\($0)" }
        var lines: [String] = []
        for probe in 0..<24 {
            for model in models.map(\.name) {
                let words = (0..<12).map { _ in vocabulary[Int(rng.next() % 60)] }.joined(separator: " ")
                let object: [String: Any] = ["model": model, "probe_id": "q\(probe)", "prompt": "Question number \(probe)?",
                                             "response": "\(model.prefix(7)) says \(words)."]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        let transcript = try folder.write("t.jsonl", lines.joined(separator: "\n") + "\n")
        let labels = try folder.write("labels.jsonl", models.map { #"{"model": "\#($0.name)", \#($0.annotation)}"# }.joined(separator: "\n") + "\n")
        let store = folder.path("s.sqlite")
        try #require(try RecomputeTests.lineage(["import", "--store", store, transcript], in: folder).status == 0)
        try #require(try RecomputeTests.lineage(["models", "annotate", "--store", store, "--labels", labels], in: folder).status == 0)
        return store
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RecomputeTests.binary), "needs the lineage binary (swift build)"))
    func screenSpeaksEveryFormat() throws {
        let folder = try TemporaryFolder()
        let store = try Self.annotatedStore(in: folder)
        let common = ["screen", "--store", store, "--reference", "teacher-a", "--suspect", "suspect-1", "--suspect", "suspect-2",
                      "--replicates", "199", "--bootstrap", "199"]
        let screen = try LineageBinary.run(common + ["--format", "json"], in: folder, mergingStandardError: false)
        #expect([0, 10, 11].contains(screen.status))
        let object = try JSONSerialization.jsonObject(with: Data(screen.output.utf8)) as! [String: Any]
        let schema = ReportSchemaTests.schemaFolder.appendingPathComponent("lineage.screen.v1.json")
        #expect(try JSONSchemaValidator(schemaFile: schema, strict: true).validate(object) == [])
        let properties = Set(((try JSONSerialization.jsonObject(with: Data(contentsOf: schema)) as! [String: Any])["properties"] as! [String: Any]).keys)
        #expect(Set(object.keys) == properties)
        let rows = object["rows"] as! [[String: Any]]
        #expect(Set(rows.map { $0["suspect"] as! String }) == ["suspect-1", "suspect-2"])
        // Sorted by corrected p-value, and Holm's correction never lowers a p-value.
        let adjusted = rows.map { $0["adjusted_p_value"] as! Double }
        #expect(adjusted == adjusted.sorted())
        #expect(rows.allSatisfy { ($0["adjusted_p_value"] as! Double) >= ($0["p_value"] as! Double) })
        // Per-probe effects only when asked for: by default each study's tests carry none.
        func perProbeRows(_ json: [String: Any]) -> [Int] {
            (json["results"] as! [[String: Any]]).flatMap { ($0["tests"] as! [[String: Any]]).map { ($0["per_probe"] as? [Any])?.count ?? 0 } }
        }
        #expect(perProbeRows(object).allSatisfy { $0 == 0 })
        let full = try LineageBinary.run(common + ["--format", "json", "--per-probe"], in: folder, mergingStandardError: false)
        let fullObject = try JSONSerialization.jsonObject(with: Data(full.output.utf8)) as! [String: Any]
        #expect(perProbeRows(fullObject).contains { $0 > 0 })
        #expect(try JSONSchemaValidator(schemaFile: schema, strict: true).validate(fullObject) == [])

        let csv = try RecomputeTests.lineage(common + ["--format", "csv", "--quiet"], in: folder)
        let csvLines = csv.output.split(separator: "\n").filter { !$0.hasPrefix("lineage") }
        #expect(csvLines.count >= 3 && csvLines[0].contains("verdict"))
        let junit = folder.path("screen.xml")
        let zero = try RecomputeTests.lineage(common + ["--junit", junit, "--exit-zero"], in: folder)
        #expect(zero.status == 0)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.components(separatedBy: "<testcase").count - 1 == 2)
        #expect(try RecomputeTests.lineage(common + ["--json", "--format", "csv"], in: folder).status == 2)

        // --report: an overview page, the screen JSON and a manifest whose hashes match the files, and one
        // report per suspect (numbered folders) that `lineage verify` accepts and whose root the manifest names.
        let report = folder.path("screen-report")
        #expect([0, 10, 11].contains(try RecomputeTests.lineage(common + ["--report", report, "--quiet"], in: folder).status))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report + "/screen-manifest.json"))) as! [String: Any]
        for (name, hash) in manifest["files"] as! [String: String] {
            #expect(ContentHash.sha256(try Data(contentsOf: URL(fileURLWithPath: report + "/" + name))) == hash, "\(name)")
        }
        let suspects = manifest["suspects"] as! [[String: String]]
        #expect(Set(suspects.map { $0["suspect"]! }) == ["suspect-1", "suspect-2"])
        let index = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
        for entry in suspects {
            #expect(entry["folder"]!.hasPrefix("suspects/suspect-00"))
            #expect(index.contains("href=\"\(entry["folder"]!)/report.html\">\(entry["suspect"]!)</a>"))
            let reportManifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report + "/" + entry["folder"]! + "/manifest.json"))) as! [String: Any]
            #expect(reportManifest["root_hash"] as? String == entry["root_hash"])
            #expect(try RecomputeTests.lineage(["verify", "--store", store, report + "/" + entry["folder"]!], in: folder).status == 0)
        }
        // A second run replaces the folder whole: nothing of the first is left beside it.
        #expect([0, 10, 11].contains(try RecomputeTests.lineage(common + ["--suspect", "control-1", "--report", report, "--quiet"], in: folder).status))
        let again = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report + "/screen-manifest.json"))) as! [String: Any]
        #expect((again["suspects"] as! [[String: String]]).count == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("")).filter { $0.hasPrefix(".screen-report") }.isEmpty)
    }
}
