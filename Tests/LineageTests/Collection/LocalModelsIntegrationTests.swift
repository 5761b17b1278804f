import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Testing
@testable import Lineage
#if canImport(Glibc)
import Glibc
#endif

/// `lineage run` end to end: the real binary, the real store, two real models behind llama.cpp's
/// server on loopback (started by `scripts/local-models start`, which `scripts/test` runs).
@Suite(.serialized) struct LocalModelsIntegrationTests {
    static let environment = ProcessInfo.processInfo.environment
    static let smollm2URL = environment["LINEAGE_SMOLLM2_URL"]
    static let qwenURL = environment["LINEAGE_QWEN_URL"]
    static let serversConfigured = smollm2URL != nil && qwenURL != nil
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let secret = "sk-integration-SECRET-93b2e6f1a0"

    static var binary: String {
        environment["LINEAGE_BINARY"] ?? packageRoot.appendingPathComponent(".build/debug/lineage").path
    }

    struct Result {
        var status: Int32
        var output: String
    }

    /// Starts `lineage ARGS` with the test key in its environment; output goes to `log`.
    static func launch(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = Self.environment
        environment["OPENAI_API_KEY"] = secret
        process.environment = environment
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    static func runToEnd(_ arguments: [String], log: String) throws -> Result {
        let process = try launch(arguments, log: log)
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    struct StoredRow: Hashable {
        var model: String
        var probe: String
        var sample: Int
        var parameters: String
        var turns: String
        var hash: String
        var status: String

        var unit: String { "\(model)|\(probe)|\(sample)|\(parameters)" }
    }

    static func okResponses(_ path: String) throws -> [StoredRow] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        return try queue.read { db in
            guard try db.tableExists("response") else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT m.name, p.contentHash, r.sampleIndex, r.parametersKey, r.turns, r.contentHash, r.status
                FROM response r JOIN model m ON m.id = r.modelID JOIN probe p ON p.id = r.probeID ORDER BY r.id
                """).map { row in
                StoredRow(model: row[0], probe: row[1], sample: row[2], parameters: row[3], turns: row[4], hash: row[5], status: row[6])
            }
        }
    }

    @Test(.enabled(if: serversConfigured, """
        Skipped: the local model servers are not configured (LINEAGE_SMOLLM2_URL and LINEAGE_QWEN_URL \
        are unset). scripts/test starts them and sets both; by hand: scripts/local-models start && \
        eval "$(scripts/local-models env)".
        """), .timeLimit(.minutes(10)))
    func smokeSetSurvivesSIGKILLAndResumes() async throws {
        let folder = try TemporaryFolder()
        for url in [Self.smollm2URL!, Self.qwenURL!] {
            let health = URL(string: url.replacingOccurrences(of: "/v1", with: "/health"))!
            let (_, response) = try await URLSession.shared.data(from: health)
            try #require((response as? HTTPURLResponse)?.statusCode == 200,
                         "LINEAGE_*_URL is set but \(health) does not answer: run scripts/local-models start")
        }
        let config = try folder.write("models.yaml", """
            models:
              - name: smollm2
                endpoint: \(Self.smollm2URL!)
                model: smollm2
                concurrency: 2
                extra_body: {cache_prompt: false}
              - name: qwen
                endpoint: \(Self.qwenURL!)
                model: qwen
                concurrency: 2
                extra_body: {cache_prompt: false}
            """)
        let smoke = Self.packageRoot.appendingPathComponent("probes/smoke.yaml").path
        let probeSet = try ProbeSetLoader.load(path: smoke)
        let samples = 2
        let total = probeSet.probes.count * samples * 2
        let store = folder.path("store.sqlite")
        let arguments = ["run", smoke, "--config", config, "--model", "smollm2", "--model", "qwen",
                         "--samples", "\(samples)", "--store", store]

        // Dry run: counts requests (two-turn probes make two), creates nothing.
        let dry = try Self.runToEnd(arguments + ["--dry-run"], log: folder.path("dry.log"))
        #expect(dry.status == 0, "\(dry.output)")
        let requests = probeSet.probes.reduce(0) { $0 + $1.turns.count } * samples
        #expect(dry.output.contains("smollm2: \(requests) requests"), "\(dry.output)")
        #expect(!FileManager.default.fileExists(atPath: store))

        // First run, killed with SIGKILL once a few answers are committed.
        let first = try Self.launch(arguments, log: folder.path("first.log"))
        let deadline = Date().addingTimeInterval(300)
        while try Self.okResponses(store).count < 3, first.isRunning, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal, "the first run ended before it could be killed")
        let beforeKill = try Self.okResponses(store)
        #expect(beforeKill.count >= 3 && beforeKill.count < total, "stored \(beforeKill.count) of \(total) before the kill")

        // Second run: asks only what is missing, and completes.
        let second = try Self.runToEnd(arguments, log: folder.path("second.log"))
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("\(beforeKill.filter { $0.status == "ok" }.count) already stored"), "\(second.output)")
        let rows = try Self.okResponses(store)
        #expect(!rows.contains { $0.status != "ok" }, "failures were stored: \(second.output)")
        let ok = rows.filter { $0.status == "ok" }
        #expect(ok.count == total)
        let units = Set(ok.map(\.unit))
        #expect(units.count == total, "every unit exactly once")
        let hashes = Set(ok.map(\.hash))
        #expect(beforeKill.allSatisfy { hashes.contains($0.hash) }, "a response stored before the kill was lost")

        // The two models answer differently.
        func answers(_ model: String) -> [String: String] {
            Dictionary(uniqueKeysWithValues: ok.filter { $0.model == model }.map { ("\($0.probe)|\($0.sample)", $0.turns) })
        }
        let small = answers("smollm2"), qwen = answers("qwen")
        let same = small.keys.filter { small[$0] == qwen[$0] }
        #expect(same.count <= 1, "the two models gave the same answers to \(same.count) of \(small.count) units")

        // Temperature 0 with a fixed seed reproduces, in a fresh store.
        let fixed = probeSet.probes.filter { $0.sampling.temperature == 0 && $0.sampling.seed != nil }
        try #require(!fixed.isEmpty, "smoke.yaml needs a probe with temperature 0 and a seed")
        let freshStore = folder.path("fresh.sqlite")
        var again = ["run", smoke, "--config", config, "--model", "smollm2", "--model", "qwen",
                     "--samples", "\(samples)", "--store", freshStore]
        for probe in fixed { again += ["--probe", probe.id] }
        let third = try Self.runToEnd(again, log: folder.path("third.log"))
        #expect(third.status == 0, "\(third.output)")
        let repeated = try Self.okResponses(freshStore)
        #expect(repeated.count == fixed.count * samples * 2)
        for row in repeated {
            let original = ok.first { $0.unit == row.unit }
            #expect(original?.turns == row.turns, "\(row.model) did not reproduce at temperature 0 with a fixed seed")
        }

        // The probe set's hash is recorded with each run; the key reached no file and no output.
        let runs = try await DatabaseQueue(path: store).read { db in try RunRecord.fetchAll(db) }
        #expect(runs.count == 2 && runs.allSatisfy { $0.probeSetHash == probeSet.contentHash })
        for path in [store, store + "-wal", freshStore, folder.path("first.log"), folder.path("second.log")] {
            if let bytes = FileManager.default.contents(atPath: path) {
                #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "the API key leaked into \(path)")
            }
        }
    }
}
