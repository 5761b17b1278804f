import Foundation
import GRDB

/// The feature cache in the store: one row per successful response, the builder's first pass on it
/// (`CachedFeatures`) as `FeatureCodec` bytes, tagged with the `FeatureCache.version` that made it.
///
/// The rows are derived data: they are not part of any root hash, `lineage verify --recompute`
/// ignores them (it featurises the raw answers again), and a row of another version, or one that
/// does not decode, is read as absent. `import` and `run` fill the rows of what they store;
/// `lineage cache` fills those an older store lacks.
extension ResponseStore {
    static func registerFeatureCacheMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3: feature cache") { db in
            try db.create(table: "featureCache") { t in
                t.primaryKey("responseID", .integer).references("response")
                t.column("version", .text).notNull()
                t.column("features", .blob).notNull()
            }
        }
    }

    /// What the cache holds, for `lineage cache` and the benchmarks.
    public struct FeatureCacheSummary: Sendable, Equatable, Codable {
        /// Successful responses in the store.
        public var responses: Int
        /// Of those, the ones with a row of the current version.
        public var cached: Int
        /// Rows of other versions (ignored; `fillFeatureCache` replaces them).
        public var stale: Int
        /// Bytes of the current rows.
        public var bytes: Int
        /// Bytes of the cached responses' answer text (UTF-8).
        public var textBytes: Int
    }

    public func featureCacheSummary() throws -> FeatureCacheSummary {
        let version = FeatureCache.version
        return try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*),
                       COUNT(CASE WHEN f.version = ? THEN 1 END),
                       COUNT(CASE WHEN f.version IS NOT NULL AND f.version <> ? THEN 1 END),
                       COALESCE(SUM(CASE WHEN f.version = ? THEN LENGTH(f.features) END), 0),
                       COALESCE(SUM(CASE WHEN f.version = ? THEN LENGTH(CAST(r.turns AS BLOB)) END), 0)
                FROM response r LEFT JOIN featureCache f ON f.responseID = r.id
                WHERE r.status = 'ok'
                """, arguments: [version, version, version, version])!
            return FeatureCacheSummary(responses: row[0], cached: row[1], stale: row[2], bytes: row[3], textBytes: row[4])
        }
    }

    /// Featurises every successful response that has no current row (on every core) and stores the
    /// rows, a few thousand per transaction, so that a long fill holds the write lock in short spells
    /// and an interrupted one keeps what it finished. Each chunk's transaction runs on a writer queue
    /// while the next chunk is read and featurised, so the cores do not wait for SQLite. Returns the
    /// rows written.
    @discardableResult
    public func fillFeatureCache(progress: WorkProgress = .silent) throws -> Int {
        let version = FeatureCache.version
        let missing: [Int64] = try read { db in
            try Int64.fetchAll(db, sql: """
                SELECT r.id FROM response r LEFT JOIN featureCache f ON f.responseID = r.id AND f.version = ?
                WHERE r.status = 'ok' AND f.responseID IS NULL ORDER BY r.id
                """, arguments: [version])
        }
        guard !missing.isEmpty else { return 0 }
        let counter = progress.counter("featurising answer", of: missing.count)
        let chunk = Self.featureRowsPerTransaction
        let writer = DispatchQueue(label: "lineage.feature-cache.writer")
        let outcome = WriterOutcome()
        for start in stride(from: 0, to: missing.count, by: chunk) {
            if let error = outcome.error { throw error }
            let ids = Array(missing[start..<min(missing.count, start + chunk)])
            let responses = try self.responses(ids: ids)
            let rows = try concurrentMap(responses.count) { i -> (Int64, [UInt8]) in
                defer { counter.advance() }
                return (responses[i].id, FeatureCodec.encode(CachedFeatures(of: responses[i])))
            }
            writer.sync {}   // at most one chunk waits for its transaction
            writer.async {
                guard outcome.error == nil else { return }
                do {
                    try self.write { db in try Self.insertFeatureRows(rows, in: db) }
                    outcome.add(rows.count)
                } catch {
                    outcome.fail(error)
                }
            }
        }
        writer.sync {}
        if let error = outcome.error { throw error }
        return outcome.written
    }

    /// Cache rows per write transaction: a long fill holds the write lock in short spells.
    static let featureRowsPerTransaction = 4096

    /// Stores rows made elsewhere (an import featurises its new answers while it writes them), a few
    /// thousand per transaction, as the fill does.
    @discardableResult
    public func storeFeatureRows(_ rows: [(responseID: Int64, features: [UInt8])]) throws -> Int {
        let size = Self.featureRowsPerTransaction
        for start in stride(from: 0, to: rows.count, by: size) {
            let chunk = rows[start..<min(rows.count, start + size)]
            try write { db in try Self.insertFeatureRows(chunk.map { ($0.responseID, $0.features) }, in: db) }
        }
        return rows.count
    }

    static func insertFeatureRows(_ rows: [(Int64, [UInt8])], in db: Database) throws {
        let version = FeatureCache.version
        let statement = try db.makeStatement(sql: "INSERT OR REPLACE INTO featureCache (responseID, version, features) VALUES (?, ?, ?)")
        for (id, bytes) in rows { try statement.execute(arguments: [id, version, Data(bytes)]) }
    }

    /// Removes every cache row (the responses stay); returns how many.
    @discardableResult
    public func dropFeatureCache() throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM featureCache")
            return db.changesCount
        }
    }
}

/// What the feature cache's writer queue has done: rows committed, and the first error (after which
/// it commits nothing more).
private final class WriterOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var rows = 0
    private var firstError: Error?

    var written: Int { lock.withLock { rows } }
    var error: Error? { lock.withLock { firstError } }
    func add(_ count: Int) { lock.withLock { rows += count } }
    func fail(_ error: Error) { lock.withLock { if firstError == nil { firstError = error } } }
}
