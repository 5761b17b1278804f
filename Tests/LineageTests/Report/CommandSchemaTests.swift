import Foundation
import Testing
@testable import Lineage

/// What the real binary prints as JSON, checked against docs/schema strictly: every key at every
/// depth is declared there (so a field added to a type but not to its schema fails), and every
/// declared key is snake_case (so, together, every key printed is).
@Suite(.serialized) struct CommandSchemaTests {
    static var folder: URL { ReportSchemaTests.schemaFolder }

    static func validator(_ file: String) throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schemaFile: folder.appendingPathComponent(file), strict: true)
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text.prefix(200))")
    }

    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try object(String($0)) }
    }

    /// Standard output alone, after checking the exit status.
    static func run(_ arguments: [String], in folder: TemporaryFolder, status: Set<Int32> = [0]) throws -> String {
        let result = try LineageBinary.run(arguments, in: folder, mergingStandardError: false)
        #expect(status.contains(result.status), "\(arguments.joined(separator: " ")): exit \(result.status)")
        return result.output
    }

    static func expectValid(_ json: [String: Any], _ file: String, definition: String? = nil) throws {
        var validator = try validator(file)
        if let definition { validator = validator.definition(definition) }
        #expect(validator.validate(json) == [], "\(file)\(definition.map { " $defs/\($0)" } ?? "")")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RecomputeTests.binary), "needs the lineage binary (swift build)"))
    func storeCommandsPrintWhatTheirSchemasSay() throws {
        let folder = try TemporaryFolder()
        let store = try ScreenCommandTests.annotatedStore(in: folder)
        let controls = try Self.object(try Self.run(["controls", "--store", store, "--suspect", "suspect-1", "--reference", "teacher-a", "--json"],
                                                    in: folder))
        try Self.expectValid(controls, "lineage.panel.v1.json")
        #expect(((controls["panel"] as? [String: Any])?["members"] as? [Any])?.isEmpty == false)
        #expect((controls["leans"] as? [String: Double])?.isEmpty == false)
        // The same panel as CSV and Markdown: one row per candidate the JSON names, leans as plain numbers.
        let members = ((controls["panel"] as? [String: Any])?["members"] as? [[String: Any]])?.filter { $0["role"] as? String == "control" }.count ?? -1
        let excluded = ((controls["panel"] as? [String: Any])?["excluded"] as? [Any])?.count ?? 0
        let csv = try Self.run(["controls", "--store", store, "--suspect", "suspect-1", "--reference", "teacher-a", "--format", "csv"], in: folder)
        let csvRows = csv.split(separator: "\n")
        #expect(csvRows.first == "model,role,lean,reason" && csvRows.count == 1 + members + excluded)
        #expect(csvRows.dropFirst().allSatisfy { !$0.split(separator: ",")[2].hasPrefix("'") })
        let md = try Self.run(["controls", "--store", store, "--suspect", "suspect-1", "--reference", "teacher-a", "--format", "md"], in: folder)
        #expect(md.split(separator: "\n").count == 2 + members + excluded)

        let pairs = try folder.write("pairs.jsonl", """
            {"suspect": "suspect-1", "references": ["teacher-a"]}
            {"suspect": "suspect-2", "references": ["teacher-a"], "alternatives": ["teacher-b"], "controls": ["control-1", "control-2"]}

            """)
        let batch = try Self.object(try Self.run(["attribute", "--store", store, "--pairs", pairs, "--replicates", "199", "--bootstrap", "199",
                                                  "--json", "--exit-zero"], in: folder))
        try Self.expectValid(batch, "lineage.attribution-batch.v1.json")
        #expect((batch["results"] as? [[String: Any]])?.map { $0["suspect"] as? String } == ["suspect-1", "suspect-2"])

        let probes = try folder.write("p.yaml", SecretEchoTests.probeSet(probes: 3))
        let dry = try Self.object(try Self.run(["run", probes, "--store", folder.path("dry.sqlite"), "--dry-run", "--json", "--samples", "2",
                                                "--model", "name=m,backend=openai,endpoint=http://127.0.0.1:9/v1,model=x"], in: folder))
        try Self.expectValid(dry, "lineage.dry-run.v1.json")
        #expect((dry["requests"] as? [Any])?.count == 6)

        let cache = try Self.object(try Self.run(["cache", "--store", store, "--json"], in: folder))
        try Self.expectValid(cache, "lineage.cache.v1.json")
        #expect((cache["cache"] as? [String: Any])?["cached"] as? Int == 168 && cache["featurised"] as? Int == 0, "import filled the cache")

        let export = try Self.lines(try Self.run(["export", "--store", store, "--model", "suspect-1"], in: folder))
        #expect(export.count == 24)
        for line in export { try Self.expectValid(line, "lineage.export.v1.json") }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: RecomputeTests.binary), "needs the lineage binary (swift build)"))
    func logCommandsPrintWhatTheirSchemasSay() throws {
        let folder = try TemporaryFolder()
        let log = folder.path("logs.jsonl"), summary = folder.path("summary.jsonl"), merged = folder.path("merged.jsonl")
        _ = try Self.run(["logs", "simulate", "--requests", "3000", "--days", "5", "--campaign-accounts", "30", "--benign-accounts", "40",
                          "--output", log, "--labels", folder.path("labels.jsonl")], in: folder)
        let overview = try Self.object(try Self.run(["logs", "import", log, "--json", "--output", summary], in: folder))
        try Self.expectValid(overview, "lineage.log-import.v1.json")
        #expect(overview["output"] as? String == summary)
        _ = try Self.run(["logs", "merge", summary, "--output", merged], in: folder)
        for file in [summary, merged] {
            let lines = try Self.lines(try String(contentsOfFile: file, encoding: .utf8))
            try Self.expectValid(lines[0], "lineage.log-summary.v1.json")
            #expect(lines[0]["accounts"] as? Int == lines.count - 1)
            for account in lines.dropFirst() { try Self.expectValid(account, "lineage.log-summary.v1.json", definition: "account") }
        }
        let campaigns = try Self.object(try Self.run(["campaigns", log, "--json", "--min-accounts", "5"], in: folder, status: [0, 10]))
        try Self.expectValid(campaigns, "lineage.campaigns.v1.json")
        #expect((campaigns["campaigns"] as? [Any])?.isEmpty == false)
        // Against the planted labels: precision and recall, as lineage.campaign-evaluation/v1.
        let labelled = try Self.run(["campaigns", log, "--min-accounts", "5", "--labels", folder.path("labels.jsonl")], in: folder, status: [0, 10])
        let evaluationText = try #require(labelled.components(separatedBy: "against \(folder.path("labels.jsonl")):\n").last)
        let evaluation = try Self.object(evaluationText)
        try Self.expectValid(evaluation, "lineage.campaign-evaluation.v1.json")
        #expect(((evaluation["evaluation"] as? [String: Any])?["account_recall"] as? Double ?? 0) > 0)

        let served = try folder.write("served.jsonl", (0..<6).map { p in
            "{\"account\": \"acct-\(p % 2)\", \"time\": \"2026-03-01T12:0\(p):00Z\", \"prompt\": \"Question \(p)?\", \"response\": \"Answer \(p).\", "
                + "\"model_snapshot\": \"snap-1\", \"params\": {\"temperature\": 0.7, \"max_tokens\": 64, \"seed\": \(p)}}"
        }.joined(separator: "\n") + "\n")
        let imported = try Self.object(try Self.run(["served", "import", served, "--store", folder.path("s.sqlite"), "--json"], in: folder))
        try Self.expectValid(imported, "lineage.served-import.v1.json")
        #expect(imported["added"] as? Int == 6 && (imported["models"] as? [String: String]) == ["snap-1": "served:snap-1"])
        // One convention on every command: --format json is --json; a summary has no csv or md, and says so.
        let again = try Self.object(try Self.run(["served", "import", served, "--store", folder.path("s2.sqlite"), "--format", "json"], in: folder))
        try Self.expectValid(again, "lineage.served-import.v1.json")
        for command in [["served", "import", served, "--store", folder.path("s3.sqlite")], ["logs", "import", log], ["campaigns", log]] {
            let refused = try LineageBinary.run(command + ["--format", "csv"], in: folder)
            #expect(refused.status == 2 && refused.output.contains("use --format text or --format json"), "\(command)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("s3.sqlite")))
    }

    /// Each schema names itself as its file does, and declares only snake_case keys.
    @Test func everySchemaIsNamedAsItsFileAndDeclaresSnakeCaseKeys() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 20)
        let snake = /^[a-z][a-z0-9_]*$/
        func declaredKeys(_ node: Any, at path: String) -> [String] {
            if let array = node as? [Any] { return array.enumerated().flatMap { declaredKeys($1, at: "\(path)[\($0)]") } }
            guard let object = node as? [String: Any] else { return [] }
            var bad: [String] = []
            if let properties = object["properties"] as? [String: Any] {
                bad += properties.keys.filter { $0.wholeMatch(of: snake) == nil }.map { "\(path).properties.\($0)" }
            }
            for (key, value) in object where key != "enum" && key != "const" { bad += declaredKeys(value, at: "\(path).\(key)") }
            return bad
        }
        for file in files {
            let schema = try JSONSchemaValidator.load(Self.folder.appendingPathComponent(file))
            #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema", "\(file)")
            #expect(schema["$id"] as? String == "https://lineage.invalid/schema/\(file)", "\(file)")
            #expect(declaredKeys(schema, at: file) == [])
            // lineage.X.vN.json says "schema": "lineage.X/vN" (the export line names no schema).
            if let constant = ((schema["properties"] as? [String: Any])?["schema"] as? [String: Any])?["const"] as? String {
                #expect(constant == file.replacing(/\.(v[0-9]+)\.json$/) { "/\($0.1)" }, "\(file): \(constant)")
            }
        }
    }

    /// Strict validation can fail: an undeclared key deep inside, a reference into another file followed.
    @Test func strictValidationCatchesAnUndeclaredNestedKey() throws {
        let validator = try Self.validator("lineage.attribution-batch.v1.json")
        let study = try FakeStudy()
        var result = try JSONSerialization.jsonObject(with: Data(try ReportSubject.attribution(study.attribution).json().utf8)) as! [String: Any]
        let batch: [String: Any] = ["schema": "lineage.attribution-batch/v1", "store": "s", "results": [result]]
        #expect(validator.validate(batch) == [])
        var effect = result["effect"] as! [String: Any]
        effect["ciLow"] = 0.1
        result["effect"] = effect
        let problems = validator.validate(["schema": "lineage.attribution-batch/v1", "store": "s", "results": [result]])
        #expect(problems == ["$.results[0].effect: key \"ciLow\" is not in the schema"])
        result["verdict"] = "guilty"
        #expect(validator.validate(["schema": "lineage.attribution-batch/v1", "store": "s", "results": [result]]).count == 2)
    }
}
