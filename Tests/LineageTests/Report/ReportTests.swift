import Crypto
import Foundation
import GRDB
import Testing
@testable import Lineage

@Suite struct ReportWriterTests {
    @Test func writesAFolderWithEveryFormat() throws {
        let study = try FakeStudy()
        let directory = study.folder.path("reports/attribution")
        let (subject, manifest) = try ReportWriter.write(.attribution(study.attribution), responses: study.responses,
                                                         store: study.store, to: directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["manifest.json", "report.html", "report.md", "result.json"])
        // No staging folder is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: study.folder.path("reports")) == ["attribution"])
        // Every file's hash is in the manifest, and the manifest on disk is the one returned.
        for name in ["report.html", "report.md", "result.json"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            #expect(manifest.files[name] == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
        }
        let onDisk = try LineageJSON.decoder.decode(ReportManifest.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/manifest.json")))
        #expect(onDisk == manifest)
        // result.json reads back as the (enriched) result.
        let read = try ReportWriter.read(directory)
        #expect(read.subject == subject)
        #expect(read.manifest == manifest)
        guard case .attribution(let result) = subject else { Issue.record("wrong subject"); return }
        #expect(result.highlights?.first?.probeID == "q2")            // the largest per-probe effect
        #expect(result.highlights?.first?.answers.map(\.role) == ["suspect", "reference", "control", "control"])
        #expect(result.dataQuality?.models["fake-suspect"]?.responses == 6)
    }

    @Test func manifestHashesMatchTheImportersAndTheRootHashIsRecomputable() throws {
        let study = try FakeStudy()
        let (_, manifest) = try ReportWriter.write(.attribution(study.attribution), responses: study.responses,
                                                  store: study.store, to: study.folder.path("report"))
        #expect(manifest.probes.count == 6)
        #expect(manifest.responses.count == 24)
        // The importer hashed each response when it stored it; the manifest recomputed them from
        // text, and covers the raw source record (the reply body) beside the answer.
        let bodies = try study.store.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, responseBody FROM response").map { ($0[0] as Int64, $0[1] as String) })
        }
        let expected = study.responses.map { response in
            let json = "{\"content_hash\":\"\(response.contentHash)\",\"response_body_sha256\":\"\(ContentHash.sha256(bodies[response.id]!))\"}"
            return SHA256.hash(data: Data(json.utf8)).map { String(format: "%02x", $0) }.joined()
        }
        #expect(Set(manifest.responses.map(\.hash)) == Set(expected))
        #expect(Set(manifest.probes.map(\.hash)) == Set(study.responses.map(\.probeHash)))
        #expect(manifest.probes.compactMap(\.label).sorted() == ["q0", "q1", "q2", "q3", "q4", "q5"])
        // Root hash, recomputed the way the manifest documents it, independently of ReportManifest.
        let lines = manifest.entries.map { "\($0.kind.rawValue)\t\($0.id)\t\($0.hash)\n" }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let digest = SHA256.hash(data: Data(lines.joined().utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(manifest.rootHash == digest)
        // The report prints it.
        let markdown = try String(contentsOfFile: study.folder.path("report/report.md"), encoding: .utf8)
        let html = try String(contentsOfFile: study.folder.path("report/report.html"), encoding: .utf8)
        #expect(markdown.contains(manifest.rootHash) && html.contains(manifest.rootHash))
    }

    @Test func replacesAnOldReportWholeAndLeavesNothingOnFailure() throws {
        let study = try FakeStudy()
        let directory = study.folder.path("report")
        try ReportWriter.write(.equality(study.equality), responses: study.responses, store: nil, to: directory)
        try study.folder.write("report/stale.txt", "from an older report")
        try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: nil, to: directory)
        #expect(!FileManager.default.fileExists(atPath: directory + "/stale.txt"))
        #expect(try ReportWriter.read(directory).subject.schema == AttributionResult.schemaName)
        // A target whose parent is a file cannot be written: the call throws and creates nothing.
        try study.folder.write("blocker", "a file, not a folder")
        #expect(throws: (any Error).self) {
            try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: nil,
                                   to: study.folder.path("blocker/report"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: study.folder.url.path).sorted()
                == ["blocker", "fake.jsonl", "report", "store.sqlite", "store.sqlite-shm", "store.sqlite-wal"])
    }
}

@Suite struct ReportContentTests {
    @Test func plantedScriptShowsAsTextInTheHTML() throws {
        let study = try FakeStudy()
        let directory = study.folder.path("report")
        try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: study.store, to: directory)
        let html = try String(contentsOfFile: directory + "/report.html", encoding: .utf8)
        // The page has no script element and no event handler attribute at all...
        #expect(html.range(of: "<script", options: .caseInsensitive) == nil)
        #expect(html.range(of: "<img", options: .caseInsensitive) == nil)
        // ...and the planted answer is there, escaped, as text.
        #expect(html.contains("Sure! &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; &amp; done"))
        #expect(html.contains("FAKE warning &lt;b&gt;bold&lt;/b&gt;"))
        #expect(!html.contains("<b>thing</b>"))
        // In Markdown the answer sits in a fenced block, which every renderer shows as literal text.
        let markdown = try String(contentsOfFile: directory + "/report.md", encoding: .utf8)
        #expect(markdown.contains("```text\n\(FakeStudy.planted)\n```"))
        #expect(markdown.components(separatedBy: "<script").count == 2)
    }

    @Test func hostileModelNamesAreEscapedInChartsAndTables() throws {
        let study = try FakeStudy()
        let hostile = "<script>alert('name')</script>"
        let renamed = study.responses.map { response -> StoredResponse in
            var copy = response
            if copy.model == "fake-control-1" { copy.model = hostile }
            return copy
        }
        let comparison = ModelComparison.compare(WordProfileDistance(responses: renamed), replicates: 5, seed: 1,
                                                 reproducibility: FakeStudy.reproducibility("test"))
        let (subject, manifest) = try ReportWriter.prepare(.comparison(comparison), responses: renamed, store: nil)
        let html = HTMLReport.render(subject, manifest: manifest)
        #expect(html.range(of: "<script", options: .caseInsensitive) == nil)
        #expect(html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"))
        #expect(html.contains("class=\"chart tree\"") && html.contains("class=\"chart heatmap\""))
    }

    @Test func htmlIsSelfContainedWithEveryChart() throws {
        let study = try FakeStudy()
        for subject in [ReportSubject.attribution(study.attribution), .equality(study.equality), .comparison(study.comparison)] {
            let html = HTMLReport.render(subject, manifest: nil)
            // Nothing to fetch: the only URL is SVG's namespace name.
            let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
            #expect(!withoutNamespace.contains("http://") && !withoutNamespace.contains("https://") && !withoutNamespace.contains("//:"))
            #expect(!html.contains("<link") && !html.contains("@import") && !html.contains("url("))
            #expect(html.components(separatedBy: "<svg").count == html.components(separatedBy: "</svg>").count)
            switch subject {
            case .attribution:
                for kind in ["chart heatmap", "chart forest", "chart null", "chart tree"] { #expect(html.contains(kind), "attribution lacks \(kind)") }
                #expect(html.components(separatedBy: "class=\"chart null\"").count == 2)   // only the test with a null sample
            case .equality:
                for kind in ["chart forest", "chart null"] { #expect(html.contains(kind)) }
            case .comparison:
                for kind in ["chart heatmap", "chart tree"] { #expect(html.contains(kind)) }
            default:
                Issue.record("not a subject of this test")
            }
        }
    }

    @Test func markdownHasEverySectionAndFencesCannotBreak() throws {
        let study = try FakeStudy()
        let (subject, manifest) = try ReportWriter.prepare(.attribution(study.attribution), responses: study.responses, store: study.store)
        let markdown = MarkdownReport.render(subject, manifest: manifest)
        for heading in ["## Evidence", "## Appendix: method", "## Controls", "## Probes and samples", "## Probes that weigh most", "## Data quality",
                        "## Reproducibility", "## Manifest"] {
            #expect(markdown.contains(heading), "missing \(heading)")
        }
        for fact in ["S is no closer to R than to each control", "0.0120", "fake-set", "writing 3", "seed", "Haswell",
                     "lineage attribute --suspect fake-suspect (FAKE)", "leans toward fake-reference itself",
                     "about 14 probes needed", "cleaning removed probe echo: 1"] {
            #expect(markdown.contains(fact), "missing \(fact)")
        }
        // The answer holding ``` and ```` sits in a five-backtick fence.
        #expect(markdown.contains("`````text\nHere is code:\n```python"))
    }

    @Test func escapingIsComplete() {
        #expect(Escape.html("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        // Control characters show as escapes (issue 12: a hidden one can change what a name shows).
        #expect(Escape.html("bell\u{07}nul\u{00}tab\t") == "bell\\u0007nul\\u0000tab\t")
        #expect(Escape.markdownCell("a|b\nc") == "a\\|b c")
        #expect(Escape.markdownInline("<script> *x* [l](u) `c` #h") == "&lt;script&gt; \\*x\\* \\[l\\](u) \\`c\\` \\#h")
        #expect(Escape.markdownFence("x ``` y") == "````text\nx ``` y\n````")
    }

    @Test func reportCommandSourcesRoundTrip() throws {
        let study = try FakeStudy()
        for subject in [ReportSubject.attribution(study.attribution), .equality(study.equality), .comparison(study.comparison)] {
            let json = try subject.json()
            #expect(try ReportSubject.decode(Data(json.utf8)) == subject)
        }
        #expect(throws: ReportError.self) { try ReportSubject.decode(Data("{\"schema\": \"other/v9\"}".utf8)) }
        let broken = try study.folder.write("broken.json", "{\"schema\": \"lineage.equality/v1\", \"question\": \"q\"}")
        do {
            _ = try ReportWriter.read(broken)
            Issue.record("a result without its fields was accepted")
        } catch let error as ReportError {
            #expect(error.description.contains("broken.json") && error.description.contains("missing field"))
        }
    }
}

@Suite struct ReportVerifyTests {
    func tamper(_ store: ResponseStore, _ sql: String, _ arguments: StatementArguments = []) throws {
        try store.write { db in
            try db.execute(sql: "DROP TRIGGER IF EXISTS response_append_only_update; DROP TRIGGER IF EXISTS response_append_only_delete")
            try db.execute(sql: sql, arguments: arguments)
        }
    }

    @Test func verifyPassesOnAnUntouchedStore() throws {
        let study = try FakeStudy()
        let directory = study.folder.path("report")
        try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: study.store, to: directory)
        let result = try ReportVerifier.verify(reportDirectory: directory, store: study.store)
        #expect(result.intact)
        #expect(result.rootHash == result.recomputedRootHash)
    }

    @Test func verifyCatchesAnEditedResponse() throws {
        let study = try FakeStudy()
        let directory = study.folder.path("report")
        try ReportWriter.write(.attribution(study.attribution), responses: study.responses, store: study.store, to: directory)
        let victim = try #require(study.responses.first { $0.model == "fake-control-1" })
        // The tamperer edits the answer and leaves the stored hash column as it was.
        try tamper(study.store, "UPDATE response SET turns = ? WHERE id = ?", ["[\"an edited answer\"]", victim.id])
        let result = try ReportVerifier.verify(reportDirectory: directory, store: study.store)
        #expect(!result.intact)
        #expect(result.changed == ["response fake-control-1|\(victim.probeHash)|0|\(victim.parameters.key)"])
        #expect(result.removed.isEmpty && result.added.isEmpty)
        #expect(result.rootHash != result.recomputedRootHash)
    }

    @Test func verifyCatchesRemovedAddedAndEditedProbesAndFiles() throws {
        let study = try FakeStudy()
        let directory = study.folder.path("report")
        let response = { (model: String, probe: String) in study.responses.first { $0.model == model && $0.probeHash == study.probeHashes[probe] }! }
        // The report uses all but one response; that one counts as "added" since.
        let left = response("fake-control-2", "q0")
        try ReportWriter.write(.attribution(study.attribution), responses: study.responses.filter { $0.id != left.id },
                               store: study.store, to: directory)
        let removed = response("fake-suspect", "q1")
        try tamper(study.store, "DELETE FROM response WHERE id = ?", [removed.id])
        let reworded = try #require(study.probeHashes["q4"])
        try study.store.write { db in
            try db.execute(sql: "UPDATE probe SET turns = ? WHERE contentHash = ?", arguments: ["[\"Question 4, reworded\"]", reworded])
        }
        try study.folder.write("report/report.md", "# edited by hand\n")
        let result = try ReportVerifier.verify(reportDirectory: directory, store: study.store)
        #expect(result.removed == ["response fake-suspect|\(removed.probeHash)|0|\(removed.parameters.key)"])
        #expect(result.added == ["response fake-control-2|\(left.probeHash)|0|\(left.parameters.key)"])
        // The reworded probe and its four answers all changed (each answer's hash covers its probe).
        #expect(result.changed.count == 6 && result.changed.filter { $0.contains(reworded) }.count == 5)
        #expect(result.changed.contains("file report.md"))
        #expect(result.filesChanged == ["report.md"])
    }
}

@Suite struct ReportSchemaTests {
    static let schemaFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../docs/schema").standardized

    func encoded(_ subject: ReportSubject) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(try subject.json().utf8)) as! [String: Any]
    }

    /// A result with a panel chosen from annotations, its fit and measured error rates.
    static func planned(_ result: AttributionResult) throws -> AttributionResult {
        let kinds = Dictionary(uniqueKeysWithValues: (FakeStudy.models + ["other-maker"]).enumerated().map { i, m in
            (m, ModelKind(model: m, logLength: 4 + Double(i) / 3, format: 0.1 * Double(i), consensus: 0.3, probes: 6)) })
        let annotations: [String: ModelAnnotation] = [
            "fake-reference": ModelAnnotation(model: "fake-reference", maker: "OpenAI", trainedOn: .original, source: "https://example.org"),
            "other-maker": ModelAnnotation(model: "other-maker", maker: "Anthropic", trainedOn: .original),
            "fake-control-1": ModelAnnotation(model: "fake-control-1", trainedOn: .human),
            "fake-control-2": ModelAnnotation(model: "fake-control-2", trainedOn: .base),
        ]
        let panel = try PanelBuilder().build(suspect: "fake-suspect", references: ["fake-reference"], alternativeReferences: [], controls: [],
                                             annotations: annotations, kinds: kinds)
        let fit = PanelFit.assess(suspect: kinds["fake-suspect"]!, controls: panel.controls.map { kinds[$0]! }, scale: Array(kinds.values))
        var out = result.planned(StudyPlanner.Plan(panel: panel, kinds: kinds, fit: fit, referenceMaker: "OpenAI"))
        out.measuredErrorRates = [MeasuredErrorRate(dataset: "d", protocolName: "bare", studentsFound: 1, students: 2, falseAlarms: 0,
                                                    negatives: 3, source: "results/x.md")]
        return out
    }

    @Test func resultsValidateAgainstTheirSchemas() throws {
        let study = try FakeStudy()
        let (attribution, manifest) = try ReportWriter.prepare(.attribution(study.attribution), responses: study.responses, store: study.store)
        let cases: [(String, [String: Any])] = [
            ("lineage.attribution.v1.json", try encoded(attribution)),
            ("lineage.attribution.v1.json", try encoded(.attribution(study.attribution))),
            ("lineage.attribution.v1.json", try encoded(.attribution(Self.planned(study.attribution)))),
            ("lineage.equality.v1.json", try encoded(.equality(study.equality))),
            ("lineage.comparison.v1.json", try encoded(.comparison(study.comparison))),
            ("lineage.manifest.v2.json", try JSONSerialization.jsonObject(with: Data(try LineageJSON.string(manifest).utf8)) as! [String: Any]),
        ]
        for (file, json) in cases {
            let validator = try JSONSchemaValidator(schemaFile: Self.schemaFolder.appendingPathComponent(file), strict: true)
            #expect(validator.validate(json) == [], "\(file)")
        }
    }

    @Test func aMissingRequiredKeyOrWrongTypeFails() throws {
        let study = try FakeStudy()
        let validator = try JSONSchemaValidator(schemaFile: Self.schemaFolder.appendingPathComponent("lineage.attribution.v1.json"))
        let json = try encoded(.attribution(study.attribution))
        for key in ["p_value", "verdict", "effect", "tests", "reproducibility", "probes"] {
            var broken = json
            broken[key] = nil
            #expect(validator.validate(broken).contains { $0.contains("missing required key \"\(key)\"") }, "\(key)")
        }
        var nested = json
        var effect = nested["effect"] as! [String: Any]
        effect["ci_low"] = nil
        nested["effect"] = effect
        #expect(!validator.validate(nested).isEmpty)
        var wrong = json
        wrong["verdict"] = "guilty"
        #expect(!validator.validate(wrong).isEmpty)
        wrong = json
        wrong["p_value"] = "0.01"
        #expect(!validator.validate(wrong).isEmpty)
    }

    @Test func everySchemaNamesEveryFieldItsTypeEncodes() throws {
        // A field added to a result type but not to its schema is caught here.
        let study = try FakeStudy()
        let (attribution, _) = try ReportWriter.prepare(.attribution(study.attribution), responses: study.responses, store: study.store)
        for (file, json) in [("lineage.attribution.v1.json", try encoded(attribution)),
                             ("lineage.equality.v1.json", try encoded(.equality(study.equality))),
                             ("lineage.comparison.v1.json", try encoded(.comparison(study.comparison)))] {
            let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaFolder.appendingPathComponent(file))) as! [String: Any]
            let properties = Set((schema["properties"] as! [String: Any]).keys)
            #expect(Set(json.keys).subtracting(properties).isEmpty, "\(file): \(Set(json.keys).subtracting(properties))")
        }
    }
}

/// Writes the fake attribution and equality reports to `$LINEAGE_REPORT_SAMPLES` (for
/// `scripts/check-report-in-browser`), or to a temporary folder when unset.
@Suite struct ReportSamples {
    @Test func writesSampleReportsForTheBrowserCheck() throws {
        let study = try FakeStudy()
        let folder = ProcessInfo.processInfo.environment["LINEAGE_REPORT_SAMPLES"] ?? study.folder.path("samples")
        for (name, subject) in [("attribution", ReportSubject.attribution(study.attribution)), ("equality", .equality(study.equality))] {
            let (_, manifest) = try ReportWriter.write(subject, responses: study.responses, store: study.store, to: folder + "/" + name)
            #expect(manifest.responses.count == 24)
            #expect(FileManager.default.fileExists(atPath: folder + "/" + name + "/report.html"))
        }
        // Long model names, for the browser's check that no chart label is cut off.
        let long = Dictionary(uniqueKeysWithValues: FakeStudy.models.map { ($0, "organisation-with-a-long-name/\($0)-70b-instruct-2025-01-01-preview") })
        var result = study.attribution
        result.suspect = long[result.suspect]!
        result.reference = long[result.reference]!
        result.controls = result.controls.map { long[$0]! }
        result.controlDiagnostics = Dictionary(uniqueKeysWithValues: result.controlDiagnostics.map { (long[$0.key]!, $0.value) })
        result.samples = Dictionary(uniqueKeysWithValues: result.samples.map { (long[$0.key]!, $0.value) })
        result.similarity = result.similarity.map { SimilarityMatrix(models: $0.models.map { long[$0]! }, values: $0.values) }
        let renamed = study.responses.map { response -> StoredResponse in
            var copy = response
            copy.model = long[copy.model]!
            return copy
        }
        let (_, manifest) = try ReportWriter.write(.attribution(result), responses: renamed, store: nil, to: folder + "/long-names")
        #expect(manifest.responses.count == 24)
    }
}
