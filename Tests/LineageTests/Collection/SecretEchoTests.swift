import Foundation
import Testing
@testable import Lineage

/// `lineage run`, `export`, `equality --report` and `attribute --report` end to end (the real binary) against a real
/// server on loopback that echoes the `Authorization` header back every way it can: raw in the
/// answer, `\u`-escaped and URL-encoded in the answer, as HTML character references, and
/// `\u`-escaped in an error body. Not one form of either key may reach the store's bytes, the
/// export, the report files or anything the commands print.
@Suite(.serialized) struct SecretEchoTests {
    static let binary = LocalModelsIntegrationTests.binary
    static let longKey = "sk-echo-LONG-7c1e/4b+9a_Q"
    /// Shorter than any minimum a redactor might have had.
    static let shortKey = "k9Zq"

    static func probeSet(probes: Int) -> String {
        var text = """
            id: echo
            version: "1"
            description: Probes for the secret echo test.
            categories:
              misc: anything
            probes:

            """
        for index in 0..<probes { text += "  - {id: q\(index), category: misc, prompt: \"Question number \(index)?\"}\n" }
        return text
    }

    /// The reply to a request carrying `key`, chosen by the probe's number.
    static func reply(number: Int, key: String) -> ScriptedHTTPServer.Action {
        let escaped = SecretForms.unicodeEscaped(key)
        func completion(_ rawJSONContent: String) -> ScriptedHTTPServer.Action {
            .respond(status: 200, body: #"{"choices":[{"index":0,"message":{"role":"assistant","content":"\#(rawJSONContent)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":9}}"#)
        }
        switch number % 5 {
        case 0: return completion("You sent: Authorization: Bearer \(key.replacingOccurrences(of: "/", with: "\\/")) (number \(number))")
        case 1: return completion("Escaped \(escaped) and in a link https://example.test/?k=\(SecretForms.urlComponent(key)) n\(number)")
        case 2: return completion("Entities \(SecretForms.characterReferences(key)) and bytes \(SecretForms.percentEncoded(key)) n\(number)")
        case 3: return completion("Twice escaped \(SecretForms.unicodeEscaped(key, backslashes: 2)) \(SecretForms.unicodeEscaped(key, uppercase: true)) n\(number)")
        default:
            return .respond(status: 401, body: #"{"error":{"message":"invalid api key \#(escaped) (\#(SecretForms.percentEncoded(key)))"}}"#)
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary), "needs the lineage binary (swift build)"))
    func echoedKeysReachNothingStoredPrintedOrRendered() async throws {
        let server = try await ScriptedHTTPServer.start { _, request in
            let key = String((request.header("Authorization") ?? "").dropFirst("Bearer ".count))
            let messages = request.json?["messages"] as? [[String: Any]]
            let prompt = messages?.last?["content"] as? String ?? ""
            let number = Int(prompt.filter(\.isNumber)) ?? 0
            return Self.reply(number: number, key: key)
        }
        let folder = try TemporaryFolder()
        let probes = try folder.write("echo.yaml", Self.probeSet(probes: 15))
        let store = folder.path("store.sqlite")
        let endpoint = server.baseURL + "/v1"
        var environment = ProcessInfo.processInfo.environment
        environment["ECHO_LONG_KEY"] = Self.longKey
        environment["ECHO_SHORT_KEY"] = Self.shortKey
        var outputs: [String: String] = [:]
        func lineage(_ name: String, _ arguments: [String]) throws -> Int32 {
            let (status, output) = try LineageBinary.run(arguments, in: folder, environment: environment)
            outputs[name] = output
            return status
        }
        let run = try lineage("run", ["run", probes, "--store", store, "--max-tokens", "16", "--samples", "2",
                                      "--model", "name=long,backend=openai,endpoint=\(endpoint),model=x,api_key_env=ECHO_LONG_KEY",
                                      "--model", "name=short,backend=openai,endpoint=\(endpoint),model=x,api_key_env=ECHO_SHORT_KEY",
                                      "--model", "name=c1,backend=openai,endpoint=\(endpoint),model=x,api_key_env=ECHO_LONG_KEY",
                                      "--model", "name=c2,backend=openai,endpoint=\(endpoint),model=x,api_key_env=ECHO_SHORT_KEY"])
        await server.stop()
        #expect(run == 3, "every fifth probe is refused with 401: \(outputs["run"] ?? "")")
        // Both keys did reach the server, in its header.
        let sent = Set(server.received.compactMap { $0.header("Authorization") })
        #expect(sent == ["Bearer \(Self.longKey)", "Bearer \(Self.shortKey)"], "both keys reached the server")
        #expect(outputs["run"]?.contains("ECHO_SHORT_KEY is only 4 characters long") == true)

        #expect(try lineage("export", ["export", "--store", store]) == 0)
        let report = folder.path("report")
        let equality = try lineage("equality", ["equality", "long", "short", "--store", store, "--report", report,
                                                "--permutations", "99"])
        #expect([0, 10, 11].contains(equality), "\(outputs["equality"] ?? "")")
        // An attribution report shows answers side by side.
        let attribution = folder.path("attribution")
        let attribute = try lineage("attribute", ["attribute", "--suspect", "long", "--reference", "short", "--control", "c1",
                                                  "--control", "c2", "--reference-centric", "--store", store, "--report", attribution,
                                                  "--replicates", "99", "--bootstrap", "99"])
        #expect([0, 10, 11].contains(attribute), "\(outputs["attribute"] ?? "")")
        // Reports over collected answers (raw bodies, finish reasons) verify, and re-run to the same result.
        for (name, folder) in [("verify-equality", report), ("verify-attribution", attribution)] {
            #expect(try lineage(name, ["verify", folder, "--store", store, "--recompute"]) == 0, "\(outputs[name] ?? "")")
        }

        // The answers are there, redacted: the test looked where the keys would be.
        #expect(outputs["export"]?.contains("You sent: Authorization: Bearer [REDACTED]") == true)
        #expect(outputs["export"]?.contains("Escaped [REDACTED] and in a link https://example.test/?k=[REDACTED]") == true)
        let stored = try ResponseStore(path: store)
        let errors = try stored.read { db in try String.fetchAll(db, sql: "SELECT error FROM response WHERE error IS NOT NULL") }
        #expect(errors.count == 24 && errors.allSatisfy { $0.contains("invalid api key [REDACTED] ([REDACTED])") }, "\(errors)")

        for key in [Self.longKey, Self.shortKey] {
            for suffix in ["", "-wal", "-shm"] {
                if let bytes = FileManager.default.contents(atPath: store + suffix) {
                    #expect(SecretForms.found(key, in: bytes).isEmpty, "\(key) in \(store + suffix)")
                }
            }
            for (name, text) in outputs {
                #expect(SecretForms.found(key, in: text).isEmpty, "\(key) in the output of lineage \(name)")
            }
            for folder in [report, attribution] {
                for file in try FileManager.default.contentsOfDirectory(atPath: folder) {
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
                    #expect(SecretForms.found(key, in: bytes).isEmpty, "\(key) in \(folder)/\(file)")
                }
            }
        }
        for file in ["report.html", "report.md", "result.json"] {
            let text = try String(contentsOfFile: attribution + "/" + file, encoding: .utf8)
            #expect(text.contains("[REDACTED]"), "\(file) shows the redacted answers")
        }
        #expect(sent.count == 2)
    }
}
