import Foundation
import GRDB

/// What an import did.
public struct ImportSummary: Codable, Sendable, Equatable {
    public struct FileSummary: Codable, Sendable, Equatable {
        public var path: String
        public var format: TranscriptFormat
        public var responses: Int
    }
    public var files: [FileSummary]
    /// Responses stored by this import.
    public var added: Int
    /// Responses already in the store (same content hash), left as they were.
    public var alreadyStored: Int
    public var models: [String]
    public var warnings: [String]
    public var runID: Int64?
    /// What `lineage import --json` prints is named by this schema.
    public var schema = "lineage.import/v1"
}

/// Brings transcripts collected elsewhere into the store: every file is read and validated first,
/// then everything is written in one transaction, so a failed import writes nothing.
public struct TranscriptImporter: Sendable {
    public var reader: TranscriptReader
    public var format: TranscriptFormat?

    public init(reader: TranscriptReader = TranscriptReader(), format: TranscriptFormat? = nil) {
        self.reader = reader
        self.format = format
    }

    /// With `cachingFeatures`, the answers the store lacks are featurised for its feature cache while
    /// the transaction writes them (the write holds one core; the pass takes the others), and their
    /// rows are stored once it has committed. A failure to store those rows loses no answer: they are
    /// derived data, and `ResponseStore.fillFeatureCache` makes whatever is missing.
    public func importFiles(_ paths: [String], into store: ResponseStore, command: String,
                            cachingFeatures: Bool = false) throws -> ImportSummary {
        // Files are read and hashed in parallel; the first bad file in the order given is reported.
        let (reader, format) = (self.reader, self.format)
        let outcomes = paths.concurrentMap { path in
            Result { () throws -> (TranscriptReader.Transcript, [HashedResponse]) in
                let transcript = try reader.read(path, format: format)
                return (transcript, transcript.responses.map(HashedResponse.init))
            }
        }
        var files: [ImportSummary.FileSummary] = []
        var all: [HashedResponse] = []
        var warnings: [String] = []
        for (path, outcome) in zip(paths, outcomes) {
            let (transcript, hashed) = try outcome.get()
            files.append(.init(path: path, format: transcript.format, responses: transcript.responses.count))
            all += hashed
            warnings += transcript.warnings
        }
        struct Configuration: Encodable {
            let files: [String]
            let format: String
            let model: String
        }
        let configuration = ContentHash.canonicalJSON(Configuration(
            files: paths, format: format?.rawValue ?? "detected", model: reader.modelOverride ?? "from file"))
        let collected = all
        // The pass is derived data: if it cannot start, or its rows cannot be stored once the answers
        // are committed, the import still succeeds and the fill that follows makes them.
        let features = cachingFeatures ? try? FeaturePass(newAnswersOf: collected, in: store) : nil
        let (added, runID) = try store.write { db -> (Int, Int64?) in
            try Self.store(collected, configuration: configuration, command: command, in: db)
        }
        if let features, let runID, added > 0 {
            let encoded = features.wait()
            _ = try? store.storeFeatureRows(store.read { db in
                try Row.fetchAll(db, sql: "SELECT id, contentHash FROM response WHERE runID = ? AND status = 'ok'", arguments: [runID])
                    .compactMap { row -> (responseID: Int64, features: [UInt8])? in
                        encoded[row["contentHash"] as String].map { (row["id"], $0) }
                    }
            })
        }
        return ImportSummary(files: files, added: added, alreadyStored: all.count - added,
                             models: Array(Set(all.map(\.response.model))).sorted(), warnings: warnings, runID: runID)
    }

    /// The feature cache's rows of the answers an import will add, made while the import writes: one
    /// per content hash the store does not hold yet. A thread of its own featurises while the write
    /// holds its queue (a pass on the dispatch pool would take the threads the write waits for);
    /// `wait` then shares out what is left over every core.
    private final class FeaturePass: @unchecked Sendable {
        private let fresh: [HashedResponse]
        private let lock = NSLock()
        private var next = 0
        private var rows: [[UInt8]?]
        private let background = DispatchGroup()

        init(newAnswersOf responses: [HashedResponse], in store: ResponseStore) throws {
            var seen = try store.read { db in try TranscriptImporter.storedAnswers(among: responses.map(\.contentHash), in: db) }
            fresh = responses.filter { seen.insert($0.contentHash).inserted }
            rows = Array(repeating: nil, count: fresh.count)
            background.enter()
            let thread = Thread { [self] in
                work()
                background.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }

        /// Featurises answers a few at a time until none is left unclaimed.
        private func work() {
            var counter = ASCIIFeaturiser.Counter()
            let cleaner = ResponseCleaner()
            while true {
                let claimed: Range<Int> = lock.withLock {
                    let range = next..<min(fresh.count, next + 32)
                    next = range.upperBound
                    return range
                }
                if claimed.isEmpty { return }
                for i in claimed {
                    let bytes = FeatureCodec.encode(CachedFeatures(answer: fresh[i].response.turns, probe: fresh[i].response.probe,
                                                                   cleaner: cleaner, counter: &counter))
                    lock.withLock { rows[i] = bytes }
                }
            }
        }

        /// Finishes the pass on every core; the rows by content hash.
        func wait() -> [String: [UInt8]] {
            DispatchQueue.concurrentPerform(iterations: max(1, ProcessInfo.processInfo.activeProcessorCount - 1)) { _ in work() }
            background.wait()
            return lock.withLock {
                Dictionary(zip(fresh.map(\.contentHash), rows.map { $0! }), uniquingKeysWith: { first, _ in first })
            }
        }
    }

    /// A response read from a file, with the hashes that identify it in the store.
    private struct HashedResponse: Sendable {
        let response: ImportedResponse
        let probeHash: String
        let contentHash: String
        let responseBodyHash: String
        let parametersKey: String
        let json: ResponseInserter.JSONColumns

        init(_ response: ImportedResponse) {
            self.response = response
            probeHash = response.probe.contentHash
            contentHash = ResponseRecord.computeContentHash(
                model: response.model, probeHash: probeHash, sampleIndex: response.sampleIndex,
                parameters: response.parameters, status: .ok, turns: response.turns, error: nil)
            responseBodyHash = ContentHash.sha256(response.raw)
            // Encoded here, while the files are read in parallel, not while the store is locked.
            parametersKey = response.parameters.key
            json = ResponseInserter.JSONColumns(parameters: response.parameters, turns: response.turns)
        }
    }

    private static func store(_ responses: [HashedResponse], configuration: String, command: String,
                              in db: Database) throws -> (Int, Int64?) {
        var run = RunRecord(kind: .import, command: command, configuration: configuration)
        try run.insert(db)
        let runID = run.id!
        // Per-row work is prepared statements and in-memory caches: a model, probe, probe set or
        // membership is looked up in the store once per import, not once per response; which answers
        // are stored already is asked 500 at a time; the JSON columns were encoded before the lock.
        let stored = try storedAnswers(among: responses.map(\.contentHash), in: db)
        let storedProbe = try db.cachedStatement(sql: "SELECT id FROM probe WHERE contentHash = ?")
        let storedMember = try db.cachedStatement(
            sql: "SELECT probeID FROM probeSetMember WHERE probeSetID = ? AND externalID = ?")
        var inserter = ResponseInserter(db)
        var models: [String: Int64] = [:]
        var probes: [String: Int64] = [:]
        var sets: [String: Int64] = [:]
        // Keyed by the id's bytes, as SQLite compares them (Swift's String equality would make
        // "é" and "e\u{301}" one key).
        struct MemberKey: Hashable { let setID: Int64; let externalID: [UInt8] }
        var members: [MemberKey: Int64] = [:]
        var seen = Set<String>()
        var added = 0
        let now = Date()
        for hashed in responses {
            let (response, probeHash, contentHash) = (hashed.response, hashed.probeHash, hashed.contentHash)
            guard seen.insert(contentHash).inserted else { continue }
            if stored.contains(contentHash) { continue }

            let modelID = try models[response.model]
                ?? ResponseStore.model(named: response.model, backend: "import", in: db).id!
            models[response.model] = modelID
            let probeID = try probes[probeHash] ?? Int64.fetchOne(storedProbe, arguments: [probeHash]) ?? {
                var record = ProbeRecord(content: response.probe)
                try record.insert(db)
                return record.id!
            }()
            probes[probeHash] = probeID
            let setID = try sets[response.probeSet.contentHash] ?? ResponseStore.probeSet(
                name: response.probeSet.name, version: response.probeSet.version, description: nil,
                contentHash: response.probeSet.contentHash, in: db).id!
            sets[response.probeSet.contentHash] = setID
            let memberKey = MemberKey(setID: setID, externalID: Array(response.externalID.utf8))
            let memberProbeID: Int64
            if let known = members[memberKey] {
                memberProbeID = known
            } else if let stored = try Int64.fetchOne(storedMember, arguments: [setID, response.externalID]) {
                memberProbeID = stored
            } else {
                try ResponseStore.addMember(ProbeSetMemberRecord(probeSetID: setID, probeID: probeID,
                                                                 externalID: response.externalID,
                                                                 category: response.category), in: db)
                memberProbeID = probeID
            }
            members[memberKey] = memberProbeID
            if memberProbeID != probeID {
                let (file, line) = splitSource(response.source)
                throw ImportError(file: file, line: line,
                                  "probe \"\(response.externalID)\" of set \"\(response.probeSet.name)\" has another prompt in the store",
                                  fix: "give this prompt another probe id, or import it into another probe set")
            }
            _ = try inserter.insert(ResponseRecord(
                id: nil, runID: runID, modelID: modelID, probeID: probeID, sampleIndex: response.sampleIndex,
                parameters: response.parameters, parametersKey: hashed.parametersKey, origin: .import,
                status: .ok, turns: response.turns, error: nil, finishReason: response.finishReason, promptTokens: nil,
                completionTokens: nil, requestBody: nil, responseBody: response.raw, requestHash: nil,
                responseBodyHash: hashed.responseBodyHash, source: response.source,
                startedAt: nil, finishedAt: nil, latencyMilliseconds: nil, contentHash: contentHash, createdAt: now), json: hashed.json)
            added += 1
        }
        run.finishedAt = Date()
        try run.update(db)
        return (added, runID)
    }

    /// Which of `hashes` the store holds as successful answers: one query per 500 hashes, not one per
    /// response (part of keeping the write phase, and so the store's write lock, short).
    static func storedAnswers(among hashes: [String], in db: Database) throws -> Set<String> {
        var stored = Set<String>()
        let statement = try db.makeStatement(
            sql: "SELECT contentHash FROM response WHERE status = 'ok' AND contentHash IN (\(databaseQuestionMarks(count: 500)))")
        var start = 0
        while start < hashes.count {
            var chunk = Array(hashes[start..<min(start + 500, hashes.count)])
            start += 500
            // A short last chunk repeats its first hash, so one statement serves every chunk.
            chunk += Array(repeating: chunk[0], count: 500 - chunk.count)
            stored.formUnion(try String.fetchAll(statement, arguments: StatementArguments(chunk)))
        }
        return stored
    }

    private static func splitSource(_ source: String) -> (String, Int?) {
        guard let colon = source.lastIndex(of: ":"), let line = Int(source[source.index(after: colon)...]) else {
            return (source, nil)
        }
        return (String(source[..<colon]), line)
    }
}
