import Foundation
import GRDB

/// What a run reports as it goes, for a progress display or a log.
public enum CollectionEvent: Sendable {
    /// Before the first request: units in the plan, already stored, and to ask now.
    case started(total: Int, alreadyStored: Int, pending: Int, runID: Int64)
    /// A unit finished and is committed: `failure` nil when it succeeded.
    case finished(unit: WorkUnit, failure: String?, completionTokens: Int)
    /// A retry or another note (secrets already removed).
    case notice(unit: WorkUnit, message: String)
}

public struct CollectionSummary: Codable, Hashable, Sendable {
    public var runID: Int64
    public var probeSetHash: String
    public var total: Int
    public var alreadyStored: Int
    public var succeeded: Int
    public var failed: Int
    /// Units another process stored while this one was asking (not stored twice).
    public var storedElsewhere: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var seconds: Double
    /// What `lineage run --json` prints is named by this schema.
    public var schema = "lineage.run/v1"
}

/// Runs a plan against the models and commits each response (or failure) as it arrives, in its
/// own transaction, so that a killed run loses only the requests in flight and a rerun asks only
/// what is missing.
public struct CollectionRunner: Sendable {
    public let store: ResponseStore
    public let plan: CollectionPlan
    public let clients: [String: ModelClient]
    /// The command line recorded with the run.
    public let command: String
    public let probeSetPath: String?
    private let redactor: SecretRedactor

    /// Reads each model's key from `environment` (failing before anything is sent if one is missing).
    /// Every key, and `otherSecrets` (other keys the process holds), is redacted from all the run
    /// stores and reports.
    public init(store: ResponseStore, plan: CollectionPlan, environment: [String: String],
                transport: any HTTPTransport, command: String, probeSetPath: String? = nil,
                retry: RetryPolicy? = nil, otherSecrets: [String] = []) throws {
        self.store = store
        self.plan = plan
        self.command = command
        self.probeSetPath = probeSetPath
        var keys: [String: String?] = [:]
        for model in plan.models { keys[model.name] = try model.apiKey(from: environment) }
        let redactor = SecretRedactor(secrets: keys.values.compactMap { $0 } + otherSecrets
                                      + SecretRedactor.heldSecrets(models: plan.models, environment: environment))
        self.redactor = redactor
        var clients: [String: ModelClient] = [:]
        for model in plan.models {
            clients[model.name] = ModelClient(model: model, apiKey: keys[model.name] ?? nil, transport: transport,
                                              retry: retry.map { var policy = $0; policy.maxAttempts = model.maxAttempts; return policy },
                                              logprobs: plan.options.logprobs, redactor: redactor)
        }
        self.clients = clients
    }

    struct RunConfiguration: Encodable {
        let probeSet: String
        let probeSetVersion: String
        let probeSetHash: String
        let probeSetPath: String?
        let options: CollectionOptions
        let models: [ModelConfiguration]
    }

    public func run(events: @escaping @Sendable (CollectionEvent) -> Void = { _ in }) async throws -> CollectionSummary {
        let started = Date()
        let set = plan.probeSet
        let setHash = set.contentHash
        let configuration = redactor.redact(ContentHash.canonicalJSON(RunConfiguration(
            probeSet: set.id, probeSetVersion: set.version, probeSetHash: setHash, probeSetPath: probeSetPath,
            options: plan.options, models: plan.models)))
        let (runID, modelIDs, probeIDs) = try store.write { db in
            let setRecord = try ResponseStore.probeSet(name: set.id, version: set.version, description: set.description,
                                                       contentHash: setHash, in: db)
            var probeIDs: [String: Int64] = [:]
            for probe in set.probes {
                let record = try ResponseStore.probe(probe.content, in: db)
                probeIDs[probe.id] = record.id!
                try ResponseStore.addMember(ProbeSetMemberRecord(probeSetID: setRecord.id!, probeID: record.id!,
                                                                 externalID: probe.id, category: probe.category,
                                                                 tags: probe.tags), in: db)
            }
            var modelIDs: [String: Int64] = [:]
            for model in plan.models {
                modelIDs[model.name] = try ResponseStore.model(named: model.name, backend: model.backend.rawValue,
                                                               endpoint: model.endpoint, providerModelID: model.providerModelID,
                                                               in: db).id!
            }
            var run = RunRecord(kind: .collect, command: redactor.redact(command), configuration: configuration,
                                probeSetID: setRecord.id, probeSetHash: setHash)
            try run.insert(db)
            return (run.id!, modelIDs, probeIDs)
        }
        let pending = try plan.pending(in: store)
        events(.started(total: plan.units.count, alreadyStored: plan.units.count - pending.count,
                        pending: pending.count, runID: runID))

        let tally = Tally()
        let backlog = Backlog()
        await withTaskGroup(of: Void.self) { group in
            for model in plan.models {
                let units = pending.filter { $0.model == model.name }
                guard let client = clients[model.name], let modelID = modelIDs[model.name], !units.isEmpty else { continue }
                group.addTask {
                    await withTaskGroup(of: Void.self) { inner in
                        var next = 0
                        func addNext() {
                            guard next < units.count else { return }
                            let unit = units[next]
                            next += 1
                            inner.addTask {
                                await self.ask(unit, client: client, modelID: modelID, probeID: probeIDs[unit.probe.id]!,
                                               runID: runID, tally: tally, backlog: backlog, events: events)
                            }
                        }
                        for _ in 0..<model.concurrency { addNext() }
                        while await inner.next() != nil { addNext() }
                    }
                }
            }
        }
        await flush(backlog, tally: tally, events: events)
        try store.write { db in
            if var run = try RunRecord.fetchOne(db, key: runID) {
                run.finishedAt = Date()
                try run.update(db)
            }
        }
        let counts = await tally.counts
        return CollectionSummary(runID: runID, probeSetHash: setHash, total: plan.units.count,
                                 alreadyStored: plan.units.count - pending.count, succeeded: counts.succeeded,
                                 failed: counts.failed, storedElsewhere: counts.storedElsewhere,
                                 promptTokens: counts.promptTokens, completionTokens: counts.completionTokens,
                                 seconds: Date().timeIntervalSince(started))
    }

    private func ask(_ unit: WorkUnit, client: ModelClient, modelID: Int64, probeID: Int64, runID: Int64,
                     tally: Tally, backlog: Backlog, events: @escaping @Sendable (CollectionEvent) -> Void) async {
        let jitterSeed = UInt64(ContentHash.sha256(unit.storeKey).prefix(16), radix: 16) ?? 0
        let redactor = self.redactor
        let outcome = await client.converse(unit.probe.content, parameters: unit.parameters, jitterSeed: jitterSeed) {
            events(.notice(unit: unit, message: redactor.redact($0)))
        }
        var failure = outcome.failure.map { failure -> String in
            var reason = "\(failure) (after \(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s"))"
            if unit.probe.turns.count > 1 { reason += " at turn \(outcome.turns.count + 1) of \(unit.probe.turns.count)" }
            return reason
        }
        let record = Self.record(unit, outcome: outcome, failure: failure, modelID: modelID, probeID: probeID,
                                 runID: runID, redactor: redactor)
        var storedElsewhere = false
        switch commit(record) {
        case .stored: break
        case .storedElsewhere: storedElsewhere = true
        case .busy:
            // Another process has held the store longer than a write waits: keep the answer and
            // commit it after the others, instead of losing it or stopping the run.
            await backlog.add(Backlog.Entry(unit: unit, record: record, failure: failure, outcome: outcome))
            events(.notice(unit: unit, message: "the store is busy; the answer is kept in memory and committed at the end of the run"))
            return
        case .failed(let message): failure = redactor.redact("could not store the response: \(message)")
        }
        await finish(unit, failure: failure, outcome: outcome, tally: tally, events: events, storedElsewhere: storedElsewhere)
    }

    /// Commits the answers kept while the store was busy, each waiting again as long as a write
    /// waits; an answer that still cannot be committed counts as failed (a rerun asks it again).
    private func flush(_ backlog: Backlog, tally: Tally, events: @escaping @Sendable (CollectionEvent) -> Void) async {
        for entry in await backlog.take() {
            var failure = entry.failure
            var storedElsewhere = false
            switch commit(entry.record) {
            case .stored: break
            case .storedElsewhere: storedElsewhere = true
            case .busy: failure = "could not store the response: the store stayed busy (run the same command again to ask it again)"
            case .failed(let message): failure = redactor.redact("could not store the response: \(message)")
            }
            await finish(entry.unit, failure: failure, outcome: entry.outcome, tally: tally, events: events, storedElsewhere: storedElsewhere)
        }
    }

    private func finish(_ unit: WorkUnit, failure: String?, outcome: ConversationOutcome, tally: Tally,
                        events: @escaping @Sendable (CollectionEvent) -> Void, storedElsewhere: Bool = false) async {
        await tally.add(ok: failure == nil, elsewhere: storedElsewhere,
                        promptTokens: outcome.promptTokens ?? 0, completionTokens: outcome.completionTokens ?? 0)
        events(.finished(unit: unit, failure: redactor.redact(failure), completionTokens: outcome.completionTokens ?? 0))
    }

    enum Commit { case stored, storedElsewhere, busy, failed(String) }

    /// Inserts one response in its own transaction.
    func commit(_ record: ResponseRecord) -> Commit {
        do {
            try store.write { db in
                var record = record
                try record.insert(db)
            }
            return .stored
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT && record.status == .ok {
            return .storedElsewhere   // another run stored this unit meanwhile; keep theirs
        } catch is StoreBusyError {
            return .busy
        } catch {
            return .failed("\(error)")
        }
    }

    /// The row to store for `outcome`, every text in it redacted (the client redacted already;
    /// this is the last gate before the store) and hashed after redaction.
    static func record(_ unit: WorkUnit, outcome: ConversationOutcome, failure: String?, modelID: Int64,
                       probeID: Int64, runID: Int64, redactor: SecretRedactor = SecretRedactor(secrets: [])) -> ResponseRecord {
        var outcome = outcome
        outcome.turns = outcome.turns.map { redactor.redact($0) }
        outcome.requestBodies = outcome.requestBodies.map { redactor.redact($0) }
        outcome.responseBodies = outcome.responseBodies.map { redactor.redact($0) }
        outcome.finishReason = redactor.redact(outcome.finishReason)
        let failure = redactor.redact(failure)
        let status: ResponseRecord.Status = failure == nil ? .ok : .failed
        // One call: the body as sent. Several turns: a JSON array of the bodies, in order.
        func joined(_ bodies: [String]) -> String? {
            if bodies.isEmpty { return nil }
            if bodies.count == 1 { return bodies[0] }
            return ContentHash.canonicalJSON(bodies)
        }
        let requestBody = joined(outcome.requestBodies)
        let responseBody = joined(outcome.responseBodies)
        return ResponseRecord(
            id: nil, runID: runID, modelID: modelID, probeID: probeID, sampleIndex: unit.sampleIndex,
            parameters: unit.parameters, parametersKey: unit.parameters.key, origin: .collect, status: status,
            turns: outcome.turns, error: failure, finishReason: outcome.finishReason,
            promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens,
            requestBody: requestBody, responseBody: responseBody,
            requestHash: requestBody.map(ContentHash.sha256), responseBodyHash: responseBody.map(ContentHash.sha256),
            source: nil, startedAt: outcome.startedAt, finishedAt: outcome.finishedAt,
            latencyMilliseconds: outcome.latencyMilliseconds,
            contentHash: ResponseRecord.computeContentHash(model: unit.model, probeHash: unit.probe.content.contentHash,
                                                           sampleIndex: unit.sampleIndex, parameters: unit.parameters,
                                                           status: status, turns: outcome.turns, error: failure),
            createdAt: Date())
    }
}

/// Counts shared by the run's concurrent tasks.
actor Tally {
    struct Counts {
        var succeeded = 0, failed = 0, storedElsewhere = 0, promptTokens = 0, completionTokens = 0
    }
    private(set) var counts = Counts()

    func add(ok: Bool, elsewhere: Bool, promptTokens: Int, completionTokens: Int) {
        if elsewhere { counts.storedElsewhere += 1 } else if ok { counts.succeeded += 1 } else { counts.failed += 1 }
        counts.promptTokens += promptTokens
        counts.completionTokens += completionTokens
    }
}

/// Answers a run could not commit yet because another process held the store.
actor Backlog {
    struct Entry: Sendable {
        let unit: WorkUnit
        let record: ResponseRecord
        let failure: String?
        let outcome: ConversationOutcome
    }
    private var entries: [Entry] = []

    func add(_ entry: Entry) { entries.append(entry) }

    func take() -> [Entry] {
        defer { entries = [] }
        return entries
    }
}
