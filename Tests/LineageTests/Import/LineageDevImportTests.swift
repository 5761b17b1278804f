import Foundation
import Testing
@testable import Lineage

/// Imports every answer file of `../shared/data/lineage-dev` (third-party data beside the checkout,
/// never committed) when it is there: every answer the files hold is stored, once.
@Suite(.enabled(if: LineageDev.folder != nil, "../shared/data/lineage-dev is not beside this checkout"))
struct LineageDevImportTests {
    @Test func importsEveryAnswerOnce() throws {
        let root = try #require(LineageDev.folder)
        let files = LineageDev.answerFiles(in: root)
        #expect(files.count >= 50)
        // Independent count: one stored response per choice (FastChat) or per line (older FastChat).
        var expected = 0
        for file in files {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") where !line.isEmpty {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                expected += (object["choices"] as? [Any])?.count ?? 1
            }
        }
        let folder = try TemporaryFolder()
        let store = try folder.store()
        let first = try TranscriptImporter().importFiles(files, into: store, command: "test")
        #expect(first.added == expected)
        #expect(try store.responses().count == expected)
        let names = Set(try store.modelNames())
        let labels = try LineageDev.labelledModels(in: root)
        #expect(labels.isSubset(of: names), "missing: \(labels.subtracting(names))")
        let second = try TranscriptImporter().importFiles(files, into: store, command: "test")
        #expect(second.added == 0 && second.alreadyStored == expected)
        // Every labelled model gets an annotation from the labels files.
        let annotations = try LineageDev.labelFiles(in: root).flatMap { try ModelLabels.read(path: $0) }
        #expect(labels.isSubset(of: Set(annotations.map(\.model))))
    }
}

enum LineageDev {
    static var folder: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.deletingLastPathComponent().appendingPathComponent("shared/data/lineage-dev")
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("lineage.json").path) ? folder : nil
    }

    static func answerFiles(in root: URL) -> [String] {
        ["mt_bench/model_answer", "arena_bench_v1/model_answer", "vicuna_bench/answer", "arena_hard_v01/model_answer"].flatMap { sub -> [String] in
            let dir = root.appendingPathComponent(sub)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { dir.appendingPathComponent($0).path }
        }
    }

    /// The labels files: `lineage.json`, and a dataset's own (`arena_hard_v01/lineage.json`) where it has one.
    static func labelFiles(in root: URL) -> [String] {
        [root.appendingPathComponent("lineage.json").path, root.appendingPathComponent("arena_hard_v01/lineage.json").path]
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    /// Model names of the labels files, which match the answer files' names.
    static func labelledModels(in root: URL) throws -> Set<String> {
        var names = Set<String>()
        for file in labelFiles(in: root) {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as! [String: Any]
            let datasets = object["datasets"] as! [String: Any]
            names.formUnion(datasets.values.flatMap { (($0 as! [String: Any])["models"] as! [[String: Any]]).map { $0["model"] as! String } })
        }
        return names
    }
}
