import Foundation
import GRDB

/// The embedded SQLite store of every model, probe, run and response Lineage has seen.
///
/// WAL mode, explicit migrations, responses append-only (enforced by triggers). Each unit of work
/// is its own transaction: a collection run commits each response as it arrives; an import commits
/// all its files at once or nothing.
public final class ResponseStore: Sendable {
    /// Where the store lives unless `--store` says otherwise, relative to the working directory.
    public static let defaultPath = "results/lineage.sqlite"

    public let path: String
    public let database: DatabasePool
    /// How long a write waits for another process's write to finish before giving up.
    public let busyTimeout: TimeInterval
    /// Whether `responses(models:features:)` reads the feature cache (off for `lineage verify
    /// --recompute`, which featurises every raw answer again).
    public let readsFeatureCache: Bool
    private let writers: StoreWriters
    private let registration = Registration()

    /// Whether this store has said who it is to other writers (once, at its first write).
    private final class Registration: @unchecked Sendable {
        let lock = NSLock()
        var done = false
    }

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// A write that finds the store locked by another process waits up to `busyTimeout` seconds;
    /// after `busyNoticeAfter` seconds `busyNotice` is told, once, who holds it.
    public init(path: String = ResponseStore.defaultPath, busyTimeout: TimeInterval = 600, busyNoticeAfter: TimeInterval = 2,
                readsFeatureCache: Bool = true, busyNotice: @escaping @Sendable (String) -> Void = { _ in }) throws {
        self.path = path
        self.readsFeatureCache = readsFeatureCache
        self.busyTimeout = busyTimeout
        let writers = StoreWriters(storePath: path)
        self.writers = writers
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        let wait = BusyWait(timeout: busyTimeout, noticeAfter: busyNoticeAfter, writers: writers, path: path, notice: busyNotice)
        configuration.busyMode = .callback { wait.shouldRetry($0) }
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // SQLite's default page cache (2 MiB) spills a bulk write's dirty pages to the WAL and reads
            // them back, a page per system call: an import of 44,000 answers made 950,000 preads and
            // pwrites. The writer's 64 MiB holds more of such a write (readers keep the default).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
        }
        database = try DatabasePool(path: path, configuration: configuration)
        try busyAware { try Self.migrator.migrate(database) }
    }

    deinit {
        if registration.done { writers.unregister() }
    }

    /// Runs `work`, turning SQLite's "database is locked" into an error that says who holds it.
    private func busyAware<T>(_ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            throw StoreBusyError(path: path, holders: writers.describeHolders(), waited: busyTimeout)
        }
    }

    private func registerAsWriter() {
        registration.lock.lock()
        defer { registration.lock.unlock() }
        if !registration.done {
            writers.register()
            registration.done = true
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: models, probes, runs, responses") { db in
            try db.create(table: "model") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("backend", .text).notNull()
                t.column("endpoint", .text)
                t.column("providerModelID", .text)
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "probeSet") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull()
                t.column("version", .text).notNull()
                t.column("description", .text)
                t.column("contentHash", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "probe") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("contentHash", .text).notNull().unique()
                t.column("system", .text)
                t.column("turns", .text).notNull()
            }
            try db.create(table: "probeSetMember") { t in
                t.column("probeSetID", .integer).notNull().references("probeSet")
                t.column("probeID", .integer).notNull().references("probe")
                t.column("externalID", .text).notNull()
                t.column("category", .text)
                t.column("tags", .text).notNull()
                t.primaryKey(["probeSetID", "externalID"])
            }
            try db.create(index: "probeSetMember_probe", on: "probeSetMember", columns: ["probeID"])
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("command", .text).notNull()
                t.column("configuration", .text).notNull()
                t.column("probeSetID", .integer).references("probeSet")
                t.column("probeSetHash", .text)
                t.column("toolVersion", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("finishedAt", .datetime)
            }
            try db.create(table: "response") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("runID", .integer).notNull().references("run")
                t.column("modelID", .integer).notNull().references("model")
                t.column("probeID", .integer).notNull().references("probe")
                t.column("sampleIndex", .integer).notNull()
                t.column("parameters", .text).notNull()
                t.column("parametersKey", .text).notNull()
                t.column("origin", .text).notNull()
                t.column("status", .text).notNull()
                t.column("turns", .text).notNull()
                t.column("error", .text)
                t.column("finishReason", .text)
                t.column("promptTokens", .integer)
                t.column("completionTokens", .integer)
                t.column("requestBody", .text)
                t.column("responseBody", .text)
                t.column("requestHash", .text)
                t.column("responseBodyHash", .text)
                t.column("source", .text)
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.column("latencyMilliseconds", .double)
                t.column("contentHash", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            // A successful answer is stored once; failures may repeat (each attempt is kept).
            try db.execute(sql: """
                CREATE UNIQUE INDEX response_content ON response(contentHash) WHERE status = 'ok';
                CREATE UNIQUE INDEX response_unit ON response(modelID, probeID, sampleIndex, parametersKey)
                    WHERE status = 'ok' AND origin = 'collect';
                CREATE INDEX response_model_probe ON response(modelID, probeID);
                CREATE TRIGGER response_append_only_update BEFORE UPDATE ON response
                    BEGIN SELECT RAISE(ABORT, 'responses are append-only'); END;
                CREATE TRIGGER response_append_only_delete BEFORE DELETE ON response
                    BEGIN SELECT RAISE(ABORT, 'responses are append-only'); END;
                """)
        }
        registerAnnotationMigration(&migrator)
        registerFeatureCacheMigration(&migrator)
        return migrator
    }

    /// Runs `work` in one write transaction: all of it is committed, or none.
    public func write<T: Sendable>(_ work: @Sendable (Database) throws -> T) throws -> T {
        registerAsWriter()
        return try busyAware { try database.write(work) }
    }

    public func read<T: Sendable>(_ work: @Sendable (Database) throws -> T) throws -> T {
        try database.read(work)
    }
}

// MARK: - Lookups and inserts used inside transactions

extension ResponseStore {
    /// The model named `name`, inserted with `backend` if new.
    public static func model(named name: String, backend: String, endpoint: String? = nil,
                             providerModelID: String? = nil, in db: Database) throws -> ModelRecord {
        if let existing = try ModelRecord.filter(Column("name") == name).fetchOne(db) { return existing }
        var record = ModelRecord(name: name, backend: backend, endpoint: endpoint, providerModelID: providerModelID)
        try record.insert(db)
        return record
    }

    /// The probe with this content, inserted if new.
    public static func probe(_ content: ProbeContent, in db: Database) throws -> ProbeRecord {
        let hash = content.contentHash
        if let existing = try ProbeRecord.filter(Column("contentHash") == hash).fetchOne(db) { return existing }
        var record = ProbeRecord(content: content)
        try record.insert(db)
        return record
    }

    /// The probe set with this content hash, inserted if new.
    public static func probeSet(name: String, version: String, description: String?, contentHash: String,
                                in db: Database) throws -> ProbeSetRecord {
        if let existing = try ProbeSetRecord.filter(Column("contentHash") == contentHash).fetchOne(db) {
            return existing
        }
        var record = ProbeSetRecord(name: name, version: version, description: description, contentHash: contentHash)
        try record.insert(db)
        return record
    }

    /// Records that `probeID` is `externalID` in a probe set (no-op if already recorded).
    public static func addMember(_ member: ProbeSetMemberRecord, in db: Database) throws {
        try member.insert(db, onConflict: .ignore)
    }

    public static func hasSuccessfulResponse(contentHash: String, in db: Database) throws -> Bool {
        try ResponseRecord
            .filter(Column("contentHash") == contentHash && Column("status") == ResponseRecord.Status.ok.rawValue)
            .fetchCount(db) > 0
    }
}

// MARK: - What the store holds

/// One model's holdings, as `lineage models` lists them.
public struct ModelSummary: Codable, Sendable, Equatable, FetchableRecord {
    public var name: String
    public var backend: String
    public var probes: Int
    public var responses: Int
    public var failures: Int
}

/// A successful response with everything the analysis stages need, joined from the store.
public struct StoredResponse: Sendable, Equatable {
    public var id: Int64
    public var model: String
    public var probeID: Int64
    public var probeHash: String
    public var probe: ProbeContent
    public var sampleIndex: Int
    public var parameters: SamplingParameters
    public var turns: [String]
    public var finishReason: String?
    public var contentHash: String
    /// The builder's first pass on this response, read from the store's feature cache (nil: not read
    /// or not cached; the builder then featurises the turns itself).
    public var features: CachedFeatures? = nil
}

extension ResponseStore {
    public func modelSummaries() throws -> [ModelSummary] {
        try read { db in
            try ModelSummary.fetchAll(db, sql: """
                SELECT m.name AS name, m.backend AS backend,
                       COUNT(DISTINCT CASE WHEN r.status = 'ok' THEN r.probeID END) AS probes,
                       COUNT(CASE WHEN r.status = 'ok' THEN 1 END) AS responses,
                       COUNT(CASE WHEN r.status = 'failed' THEN 1 END) AS failures
                FROM model m LEFT JOIN response r ON r.modelID = m.id
                GROUP BY m.id ORDER BY m.name
                """)
        }
    }

    /// Every successful response of the named models (all models when `models` is nil), in a
    /// stable order: model, probe, sample, id. With `features`, each carries its cached features
    /// (`StoredResponse.features`) where the store holds a current row and reads the cache
    /// (`readsFeatureCache`); the fingerprint builder then skips featurising it.
    public func responses(models: [String]? = nil, features: Bool = false) throws -> [StoredResponse] {
        var filter = ""
        var arguments: StatementArguments = []
        if let models {
            filter = " AND m.name IN (\(databaseQuestionMarks(count: models.count)))"
            arguments = StatementArguments(models)
        }
        return try fetchResponses(filter: filter, arguments: arguments, order: "m.name, r.probeID, r.sampleIndex, r.id",
                                  features: features && readsFeatureCache)
    }

    /// The successful responses with these row ids, in id order (without cached features).
    func responses(ids: [Int64]) throws -> [StoredResponse] {
        guard !ids.isEmpty else { return [] }
        return try fetchResponses(filter: " AND r.id IN (\(databaseQuestionMarks(count: ids.count)))", arguments: StatementArguments(ids),
                                  order: "r.id", features: false)
    }

    private func fetchResponses(filter: String, arguments: StatementArguments, order: String, features: Bool) throws -> [StoredResponse] {
        try read { db in
            var arguments = arguments
            let sql = """
                SELECT r.id, m.name, r.probeID, p.contentHash AS probeHash, p.system, p.turns AS probeTurns,
                       r.sampleIndex, r.parameters, r.turns, r.finishReason, r.contentHash\(features ? ", f.features" : "")
                FROM response r JOIN model m ON m.id = r.modelID JOIN probe p ON p.id = r.probeID
                \(features ? "LEFT JOIN featureCache f ON f.responseID = r.id AND f.version = ?" : "")
                WHERE r.status = 'ok'\(filter)
                ORDER BY \(order)
                """
            if features { arguments = [FeatureCache.version] + arguments }
            // The rows are read on this thread and their JSON columns (and cached features) decoded on every
            // core, in row order; a probe's turns and a parameter set are decoded once for all the rows that share them.
            struct Raw: Sendable {
                var id: Int64, model: String, probeID: Int64, probeHash: String, system: String?, probeTurns: String
                var sampleIndex: Int, parameters: String, turns: String, finishReason: String?, contentHash: String
                var features: Data?
            }
            // Read through a cursor: each row's columns are taken straight from the statement, with no
            // copy of the row (a fetched array copies every row with its column names first).
            var read: [Raw] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                read.append(Raw(id: row[0], model: row[1], probeID: row[2], probeHash: row[3], system: row[4], probeTurns: row[5],
                                sampleIndex: row[6], parameters: row[7], turns: row[8], finishReason: row[9], contentHash: row[10],
                                features: features ? row[11] as Data? : nil))
            }
            let raws = read
            let probeTurnTexts = Array(Set(raws.map(\.probeTurns))).sorted()
            let parameterTexts = Array(Set(raws.map(\.parameters))).sorted()
            let decodedTurns = try probeTurnTexts.isEmpty ? [] : concurrentMap(probeTurnTexts.count) { i in
                try JSONDecoder().decode([String].self, from: Data(probeTurnTexts[i].utf8))
            }
            let decodedParameters = try parameterTexts.map { try JSONDecoder().decode(SamplingParameters.self, from: Data($0.utf8)) }
            let probeTurns = Dictionary(uniqueKeysWithValues: zip(probeTurnTexts, decodedTurns))
            let parameters = Dictionary(uniqueKeysWithValues: zip(parameterTexts, decodedParameters))
            return try concurrentMap(raws.count) { i in
                let raw = raws[i]
                var response = StoredResponse(
                    id: raw.id, model: raw.model, probeID: raw.probeID, probeHash: raw.probeHash,
                    probe: ProbeContent(system: raw.system, turns: probeTurns[raw.probeTurns]!),
                    sampleIndex: raw.sampleIndex, parameters: parameters[raw.parameters]!,
                    turns: try JSONDecoder().decode([String].self, from: Data(raw.turns.utf8)),
                    finishReason: raw.finishReason, contentHash: raw.contentHash)
                // A row that does not decode is read as absent: the builder featurises the answer afresh.
                response.features = raw.features.flatMap { data in
                    try? FeatureCodec.decode(data.withUnsafeBytes { [UInt8]($0.bindMemory(to: UInt8.self)) })
                }
                return response
            }
        }
    }

    /// Names of every model in the store, sorted.
    public func modelNames() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT name FROM model ORDER BY name") }
    }
}

extension Array where Element == StoredResponse {
    /// The responses to the probes that every one of `models` answered: what a study of those
    /// models uses, and so what its report's manifest lists.
    public func answeringEveryModel(_ models: [String]) -> [StoredResponse] {
        var answered: [String: Set<Int64>] = [:]
        for response in self { answered[response.model, default: []].insert(response.probeID) }
        let common = models.dropFirst().reduce(answered[models.first ?? ""] ?? []) { $0.intersection(answered[$1] ?? []) }
        return filter { common.contains($0.probeID) && models.contains($0.model) }
    }
}
