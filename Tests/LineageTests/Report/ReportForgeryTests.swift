import Crypto
import Foundation
import GRDB
import Testing
@testable import Lineage

/// Each way of forging or editing a report that issue 12 found `lineage verify` let through,
/// done as a forger would: by editing files and the store behind Lineage's back.
@Suite struct ReportForgeryTests {
    struct Written {
        let study: FakeStudy
        let directory: String
        let manifest: ReportManifest

        func path(_ name: String) -> String { directory + "/" + name }

        func verify() throws -> ReportVerification { try ReportVerifier.verify(reportDirectory: directory, store: study.store) }

        /// manifest.json as a plain JSON object, edited by `edit` and written back.
        func editManifest(_ edit: (inout [String: Any]) -> Void) throws {
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("manifest.json")))) as! [String: Any]
            edit(&json)
            try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: path("manifest.json")))
        }

        func tamper(_ sql: String, _ arguments: StatementArguments = []) throws {
            try study.store.write { db in
                try db.execute(sql: "DROP TRIGGER IF EXISTS response_append_only_update; DROP TRIGGER IF EXISTS response_append_only_delete")
                try db.execute(sql: sql, arguments: arguments)
            }
        }
    }

    static func written() throws -> Written {
        let study = try FakeStudy()
        let directory = study.folder.path("report")
        let (_, manifest) = try ReportWriter.write(.attribution(study.attribution), responses: study.responses,
                                                   store: study.store, to: directory)
        return Written(study: study, directory: directory, manifest: manifest)
    }

    static func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    @Test func anUntouchedReportVerifiesAndEveryFileStatesTheRoot() throws {
        let report = try Self.written()
        let result = try report.verify()
        #expect(result.intact, "\(result)")
        #expect(result.recomputedRootHash == report.manifest.rootHash)
        for name in ["report.html", "report.md", "result.json"] {
            #expect(try String(contentsOfFile: report.path(name), encoding: .utf8).contains(report.manifest.rootHash), "\(name)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report.path("result.json")))) as! [String: Any]
        #expect(json["root_hash"] as? String == report.manifest.rootHash)
        // The root covers the report files: one entry each, with the root blanked out of the bytes.
        #expect(report.manifest.fileEntries.map(\.id).sorted() == ["report.html", "report.md", "result.json"])
        for entry in report.manifest.fileEntries {
            let text = try String(contentsOfFile: report.path(entry.id), encoding: .utf8)
                .replacingOccurrences(of: report.manifest.rootHash, with: String(repeating: "0", count: 64))
            #expect(entry.hash == Self.sha256(Data(text.utf8)), "\(entry.id)")
        }
    }

    /// The forgery of the issue: edit the verdict and p-value, re-render with `lineage report`,
    /// put the new files' hashes into manifest.json.
    @Test func anEditedResultReRenderedWithUpdatedFileHashesFails() throws {
        let report = try Self.written()
        let original = try String(contentsOfFile: report.path("result.json"), encoding: .utf8)
        let result = original.replacingOccurrences(of: "\"verdict\" : \"evidence\"", with: "\"verdict\" : \"no-evidence\"")
            .replacingOccurrences(of: "\"p_value\" : 0.03,", with: "\"p_value\" : 0.9,")
        #expect(result.contains("\"no-evidence\"") && result.contains("\"p_value\" : 0.9,"))
        try Data(result.utf8).write(to: URL(fileURLWithPath: report.path("result.json")))
        let loaded = try ReportWriter.read(report.path("result.json"))
        for (name, format) in [("report.html", ReportWriter.Format.html), ("report.md", .md)] {
            try Data(try ReportWriter.render(loaded.subject, manifest: report.manifest, as: format).utf8)
                .write(to: URL(fileURLWithPath: report.path(name)))
        }
        try report.editManifest { json in
            var files = json["files"] as! [String: String]
            for name in files.keys { files[name] = Self.sha256(try! Data(contentsOf: URL(fileURLWithPath: report.path(name)))) }
            json["files"] = files
        }
        let verification = try report.verify()
        #expect(!verification.intact)
        #expect(verification.filesChanged.isEmpty, "the forger updated the file hashes")
        #expect(verification.recomputedRootHash != verification.rootHash)
        #expect(verification.changed.contains("file result.json"))
    }

    @Test func removingAProbeFromTheManifestFails() throws {
        let report = try Self.written()
        let victim = try #require(report.manifest.probes.first)
        try report.editManifest { json in
            json["entries"] = (json["entries"] as! [[String: Any]]).filter { ($0["id"] as? String) != victim.id }
        }
        let result = try report.verify()
        #expect(!result.intact)
        #expect(result.problems.contains { $0.contains("do not hash to the root") })
        // The result still names the probe, so verify recomputes it from the store anyway: the
        // recomputed root is the true one, and the probe shows as added to the manifest's list.
        #expect(result.problems.contains { $0.contains("names 1 probes the manifest does not list") })
        #expect(result.added == ["probe \(victim.id)"])
        #expect(result.recomputedRootHash == report.manifest.rootHash)
    }

    @Test func removingAProbeAndItsAnswersAndRestatingTheRootFails() throws {
        // A careful forger drops a probe with its answers and writes a consistent manifest root:
        // the files still print the old root.
        let report = try Self.written()
        let victim = try #require(report.manifest.probes.first)
        var entries = report.manifest.entries.filter { $0.id != victim.id && !$0.id.contains("|\(victim.id)|") }
        #expect(entries.count == report.manifest.entries.count - 5)
        entries.sort { $0.id < $1.id }
        let root = ReportManifest.rootHash(of: entries)
        try report.editManifest { json in
            json["entries"] = entries.map { ["kind": $0.kind.rawValue, "id": $0.id, "hash": $0.hash] }
            json["root_hash"] = root
        }
        let result = try report.verify()
        #expect(!result.intact)
        #expect(result.problems.contains { $0.contains("result.json states root hash") })
        #expect(result.problems.contains { $0.contains("report.html does not print") })
        #expect(result.problems.contains { $0.contains("names 1 probes the manifest does not list") })
        #expect(result.added.count == 5, "the dropped probe and its answers are still in the store: \(result.added)")
    }

    @Test func aZeroedRootFails() throws {
        let report = try Self.written()
        try report.editManifest { $0["root_hash"] = String(repeating: "0", count: 64) }
        let result = try report.verify()
        #expect(!result.intact && result.recomputedRootHash != result.rootHash)
        #expect(result.problems.contains { $0.contains("result.json states root hash \(report.manifest.rootHash)") })
    }

    @Test func emptiedEntriesFail() throws {
        let report = try Self.written()
        try report.editManifest { $0["entries"] = [] as [Any] }
        let result = try report.verify()
        #expect(!result.intact)
        #expect(result.problems.contains("the manifest lists no responses"))
        #expect(result.problems.contains { $0.contains("do not hash to the root") })
        #expect(result.problems.contains { $0.contains("names 6 probes the manifest does not list") })
        #expect(result.added.count == 6 + 24 + 3, "every probe, answer and file is missing from the list")
    }

    @Test func droppingReportHTMLFromTheFileListFails() throws {
        let report = try Self.written()
        try report.editManifest { json in
            var files = json["files"] as! [String: String]
            files["report.html"] = nil
            json["files"] = files
        }
        let result = try report.verify()
        #expect(!result.intact)
        #expect(result.unlistedFiles == ["report.html"])
        #expect(result.problems.contains { $0.contains("does not list report.html") })
    }

    @Test func aFileAddedToTheFolderFails() throws {
        let report = try Self.written()
        try report.study.folder.write("report/extra-evidence.html", "<p>trust me</p>")
        let result = try report.verify()
        #expect(!result.intact)
        #expect(result.unlistedFiles == ["extra-evidence.html"])
        #expect(result.recomputedRootHash == result.rootHash, "the root is fine; the folder is not")
    }

    @Test func aMissingReportFileFails() throws {
        let report = try Self.written()
        try FileManager.default.removeItem(atPath: report.path("report.md"))
        let result = try report.verify()
        #expect(!result.intact && result.filesChanged == ["report.md (missing)"])
    }

    @Test(arguments: ["responseBody", "requestBody", "finishReason"])
    func editingOnlyARawBodyOrTheFinishReasonFails(_ column: String) throws {
        let report = try Self.written()
        let victim = try #require(report.study.responses.first { $0.model == "fake-control-1" })
        try report.tamper("UPDATE response SET \(column) = ? WHERE id = ?", [column == "finishReason" ? "length" : "{\"edited\": true}", victim.id])
        let result = try report.verify()
        #expect(!result.intact)
        #expect(result.changed == ["response fake-control-1|\(victim.probeHash)|0|\(victim.parameters.key)"])
        #expect(result.recomputedRootHash != result.rootHash)
    }

    @Test func aManifestOfTheOldFormatIsRefusedWithAFix() throws {
        let report = try Self.written()
        try report.editManifest { $0["schema"] = "lineage.manifest/v1" }
        #expect {
            try report.verify()
        } throws: { error in
            (error as? ReportError)?.fix.contains("write the report again") == true
        }
    }
}
