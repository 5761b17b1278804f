import Foundation
import GRDB

/// What `lineage served import` did.
public struct ServedImportSummary: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.served-import/v1"
    public var schema = ServedImportSummary.schemaName
    public var files: [String]
    public var records: Int
    public var added: Int
    public var alreadyStored: Int
    /// The store's model name for each snapshot in the logs ("served:SNAPSHOT" unless named).
    public var models: [String: String]
    public var prompts: Int
    public var accounts: Int
    public var warnings: [String]
}

/// Brings served logs into the store: each served answer becomes a response of the model
/// "served:SNAPSHOT" (backend `served-log`, the snapshot as its provider model id), with the log
/// line as its raw body, the served time as its start time and the record hash behind its sample
/// index. All files are read and checked first; the import is one transaction.
public struct ServedLogImporter: Sendable {
    /// Store every record under this model name instead of "served:SNAPSHOT" (one snapshot only).
    public var modelName: String?

    public init(modelName: String? = nil) {
        self.modelName = modelName
    }

    public func importFiles(_ paths: [String], into store: ResponseStore, command: String) throws -> ServedImportSummary {
        let records = try paths.flatMap { try ServedLogReader.read($0) }
        let snapshots = Set(records.map(\.snapshot))
        if let modelName, snapshots.count > 1 {
            throw ImportError(file: paths.joined(separator: ", "), "the logs hold \(snapshots.count) snapshots (\(snapshots.sorted().joined(separator: ", "))) but --model names one model",
                              fix: "leave --model out (each snapshot becomes served:SNAPSHOT), or import one snapshot's records at a time")
        }
        let names = Dictionary(uniqueKeysWithValues: snapshots.map { ($0, modelName ?? ServedRecord.modelName(snapshot: $0)) })
        var warnings: [String] = []
        let perPrompt = Dictionary(grouping: records, by: \.probe)
        let mixed = perPrompt.values.filter { Set($0.map { $0.parameters.withoutSeed }).count > 1 }.count
        if mixed > 0 { warnings.append("\(mixed) prompts were served with differing sampling parameters; the served-sample test refuses a prompt whose fresh samples differ from any served one") }
        let configuration = ContentHash.canonicalJSON(["files": paths.joined(separator: "\n"), "format": "served-log", "model": modelName ?? "served:SNAPSHOT"])
        let added = try store.write { db in
            try Self.store(records, names: names, configuration: configuration, command: command, in: db)
        }
        return ServedImportSummary(files: paths, records: records.count, added: added, alreadyStored: records.count - added,
                                   models: names, prompts: perPrompt.count, accounts: Set(records.map(\.account)).count,
                                   warnings: warnings)
    }

    private static func store(_ records: [ServedRecord], names: [String: String], configuration: String, command: String,
                              in db: Database) throws -> Int {
        var run = RunRecord(kind: .import, command: command, configuration: configuration)
        try run.insert(db)
        var models: [String: ModelRecord] = [:]
        for (snapshot, name) in names {
            let model = try ResponseStore.model(named: name, backend: "served-log", providerModelID: snapshot, in: db)
            guard model.backend == "served-log", model.providerModelID == snapshot else {
                throw ImportError(file: records.first { $0.snapshot == snapshot }?.source ?? "served log",
                                  "the store already has a model \"\(name)\" that is not the served log of snapshot \(snapshot)",
                                  fix: "store the served answers under another name (--model)")
            }
            models[snapshot] = model
        }
        let storedAnswer = try db.cachedStatement(sql: "SELECT 1 FROM response WHERE contentHash = ? AND status = 'ok'")
        var inserter = ResponseInserter(db)
        var probes: [String: Int64] = [:]
        var seen = Set<String>()
        var added = 0
        let now = Date()
        for record in records {
            let model = models[record.snapshot]!
            let probeHash = record.probe.contentHash
            let contentHash = ResponseRecord.computeContentHash(
                model: model.name, probeHash: probeHash, sampleIndex: record.sampleIndex, parameters: record.parameters,
                status: .ok, turns: [record.response], error: nil)
            guard seen.insert(contentHash).inserted else { continue }
            if try Bool.fetchOne(storedAnswer, arguments: [contentHash]) != nil { continue }
            let probeID = try probes[probeHash] ?? ResponseStore.probe(record.probe, in: db).id!
            probes[probeHash] = probeID
            let request = ContentHash.canonicalJSON(RequestBody(account: record.account, time: ISO8601DateFormatter().string(from: record.time),
                                                                request_id: record.requestID, system: record.probe.system,
                                                                prompt: record.probe.turns[0], model_snapshot: record.snapshot))
            _ = try inserter.insert(ResponseRecord(
                id: nil, runID: run.id!, modelID: model.id!, probeID: probeID, sampleIndex: record.sampleIndex,
                parameters: record.parameters, parametersKey: record.parameters.key, origin: .import, status: .ok,
                turns: [record.response], error: nil, finishReason: nil, promptTokens: nil, completionTokens: nil,
                requestBody: request, responseBody: record.raw, requestHash: ContentHash.sha256(request),
                responseBodyHash: ContentHash.sha256(record.raw), source: record.source, startedAt: record.time,
                finishedAt: record.time, latencyMilliseconds: nil, contentHash: contentHash, createdAt: now))
            added += 1
        }
        run.finishedAt = Date()
        try run.update(db)
        return added
    }

    private struct RequestBody: Encodable {
        let account: String, time: String, request_id: String?, system: String?, prompt: String, model_snapshot: String
    }
}

extension SamplingParameters {
    /// The parameters without the seed: what fresh samples must share with a served answer.
    public var withoutSeed: SamplingParameters { SamplingParameters(temperature: temperature, topP: topP, maxTokens: maxTokens) }
}
