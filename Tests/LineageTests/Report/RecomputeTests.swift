import Foundation
import Testing
@testable import Lineage

/// `lineage verify --recompute` (the real binary): a report whose result was forged and sealed
/// consistently passes the hash checks, and only re-running the recorded analysis catches it.
@Suite(.serialized) struct RecomputeTests {
    static let binary = LocalModelsIntegrationTests.binary

    static func lineage(_ arguments: [String], in folder: TemporaryFolder) throws -> (status: Int32, output: String) {
        try LineageBinary.run(arguments, in: folder)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "needs the lineage binary (swift build)"))
    func recomputeCatchesAConsistentlyResealedForgery() throws {
        let folder = try TemporaryFolder()
        var lines: [String] = []
        for probe in 0..<12 {
            for (model, style) in [("model-a", "Certainly! Here is what I know about"), ("model-b", "hmm ok so")] {
                for sample in 0..<2 {
                    let object: [String: Any] = ["model": model, "probe_id": "q\(probe)", "prompt": "Tell me about topic \(probe).",
                                                 "response": "\(style) topic \(probe), take \(sample).", "sample_index": sample]
                    lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                }
            }
        }
        let transcript = try folder.write("t.jsonl", lines.joined(separator: "\n") + "\n")
        let store = folder.path("store.sqlite")
        let report = folder.path("report")
        #expect(try Self.lineage(["import", transcript, "--store", store], in: folder).status == 0)
        let made = try Self.lineage(["equality", "model-a", "model-b", "--store", store, "--permutations", "199", "--report", report], in: folder)
        #expect(made.status == 10, "\(made.output)")
        let honest = try Self.lineage(["verify", report, "--store", store, "--recompute"], in: folder)
        #expect(honest.status == 0, "\(honest.output)")
        #expect(honest.output.contains("gives the same result again"))

        // The forger turns the verdict around and seals the report again, as Lineage would.
        let (subject, manifest) = try ReportWriter.read(report)
        guard case .equality(var result) = subject, let manifest else { Issue.record("not an equality report"); return }
        result.verdict = .noEvidence
        result.pValue = 0.9
        result.test.pValue = 0.9
        var content = manifest
        content.entries = manifest.entries.filter { $0.kind != .file }
        let sealed = try ReportWriter.seal(.equality(result), content)
        for file in sealed.files { try file.data.write(to: URL(fileURLWithPath: report + "/" + file.name)) }
        try Data(try LineageJSON.string(sealed.manifest).utf8).write(to: URL(fileURLWithPath: report + "/manifest.json"))
        let stored = try ResponseStore(path: store)
        #expect(try ReportVerifier.verify(reportDirectory: report, store: stored).intact, "the hashes alone cannot tell")

        let caught = try Self.lineage(["verify", report, "--store", store, "--recompute"], in: folder)
        #expect(caught.status == 3, "\(caught.output)")
        #expect(caught.output.contains("the result differs in \"p_value\"") && caught.output.contains("\"verdict\""), "\(caught.output)")
    }

    @Test func recordedCommandLinesSplitBackIntoArguments() {
        #expect(Reproducibility.arguments(of: "/x/lineage attribute --suspect 'a b' --seed 3 ''") ==
                ["/x/lineage", "attribute", "--suspect", "a b", "--seed", "3", ""])
    }
}
