import Foundation
import GRDB
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

    /// The store's feature cache is derived data a forger can edit without touching a response. Studies
    /// read it, so a forged cache changes what `attribute` says; `verify --recompute` featurises the raw
    /// answers again and catches it.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "needs the lineage binary (swift build)"))
    func recomputeFeaturisesAgainAndCatchesAForgedFeatureCache() throws {
        let folder = try TemporaryFolder()
        var rng = SeededGenerator(seed: 41)
        let vocabulary = (0..<80).map { "w\($0)" }
        var lines: [String] = []
        for probe in 0..<20 {
            for model in ["suspect", "reference", "alternative", "control-1", "control-2", "control-3"] {
                let words = (0..<14).map { _ in vocabulary[Int(rng.next() % 80)] }.joined(separator: " ")
                let object: [String: Any] = ["model": model, "probe_id": "q\(probe)", "prompt": "Question number \(probe)?",
                                             "response": "It says \(words)."]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            }
        }
        let transcript = try folder.write("t.jsonl", lines.joined(separator: "\n") + "\n")
        let store = folder.path("store.sqlite")
        #expect(try Self.lineage(["import", transcript, "--store", store], in: folder).status == 0)
        let status = try Self.lineage(["cache", "--status", "--store", store], in: folder)
        #expect(status.output.contains("cache: 120 of 120 answers featurised"), "import fills the cache: \(status.output)")
        let study = ["attribute", "--store", store, "--suspect", "suspect", "--reference", "reference", "--alternative-reference", "alternative",
                     "--control", "control-1",
                     "--control", "control-2", "--control", "control-3", "--replicates", "199", "--bootstrap", "199", "--exit-zero"]
        func pValue(_ output: String) throws -> Double {
            let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
            return try #require(object?["p_value"] as? Double, "\(output.prefix(300))")
        }
        let honest = try pValue(try LineageBinary.run(study + ["--json"], in: folder, mergingStandardError: false).output)

        // Every row of the suspect gets the features of the reference's answer to the same probe.
        let opened = try ResponseStore(path: store)
        try opened.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.name, r.probeID, f.responseID, f.features FROM featureCache f
                JOIN response r ON r.id = f.responseID JOIN model m ON m.id = r.modelID
                """)
            var ofReference: [Int64: Data] = [:]
            for row in rows where row[0] as String == "reference" { ofReference[row[1]] = row[3] }
            for row in rows where row[0] as String == "suspect" {
                try db.execute(sql: "UPDATE featureCache SET features = ? WHERE responseID = ?", arguments: [ofReference[row[1]]!, row[2] as Int64])
            }
        }
        let report = folder.path("report")
        let forged = try pValue(try LineageBinary.run(study + ["--json", "--report", report], in: folder, mergingStandardError: false).output)
        #expect(forged < honest, "the forged cache makes the suspect the reference's copy: p \(forged) against \(honest)")
        let caught = try Self.lineage(["verify", report, "--store", store, "--recompute"], in: folder)
        #expect(caught.status == 3, "\(caught.output)")
        #expect(caught.output.contains("the result differs in"), "\(caught.output)")

        // Refilled from the raw answers, the cache gives the honest result again.
        #expect(try Self.lineage(["cache", "--drop", "--store", store], in: folder).status == 0)
        #expect(try Self.lineage(["cache", "--store", store], in: folder).output.contains("featurised 120 answers"))
        #expect(try pValue(try LineageBinary.run(study + ["--json"], in: folder, mergingStandardError: false).output) == honest)
    }

    @Test func recordedCommandLinesSplitBackIntoArguments() {
        #expect(Reproducibility.arguments(of: "/x/lineage attribute --suspect 'a b' --seed 3 ''") ==
                ["/x/lineage", "attribute", "--suspect", "a b", "--seed", "3", ""])
    }
}
