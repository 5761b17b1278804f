import Foundation
import GRDB

/// What a report needs from the store beyond the responses themselves: probe ids and
/// categories, probe-set usage, failed requests, and the raw rows `lineage verify` rehashes.
public struct StoreEvidence: Sendable {
    public let store: ResponseStore

    public init(store: ResponseStore) { self.store = store }

    /// Each probe's id (and category) in its first probe set, by probe content hash.
    public func probeLabels(probeHashes: Set<String>) throws -> [String: (id: String, category: String?)] {
        let rows = try strings("""
            SELECT p.contentHash, s.externalID, s.category FROM probe p
            JOIN probeSetMember s ON s.probeID = p.id ORDER BY s.probeSetID, s.externalID
            """)
        var labels: [String: (id: String, category: String?)] = [:]
        for row in rows {
            let hash = row[0]!
            if probeHashes.contains(hash), labels[hash] == nil { labels[hash] = (row[1]!, row[2]) }
        }
        return labels
    }

    /// The probe sets that hold the probes used, with how many of them per category.
    public func probeSetUsage(probeHashes: Set<String>) throws -> [ProbeSetUsage] {
        let rows = try strings("""
            SELECT ps.name, ps.version, ps.contentHash, p.contentHash, s.category FROM probeSetMember s
            JOIN probeSet ps ON ps.id = s.probeSetID JOIN probe p ON p.id = s.probeID
            ORDER BY ps.name, ps.version
            """)
        var usage: [String: ProbeSetUsage] = [:]
        var seen: Set<[String]> = []
        for row in rows {
            let (name, version, setHash, probeHash) = (row[0]!, row[1]!, row[2]!, row[3]!)
            guard probeHashes.contains(probeHash), seen.insert([setHash, probeHash]).inserted else { continue }
            let category = row[4] ?? "uncategorised"
            usage[setHash, default: ProbeSetUsage(name: name, version: version, contentHash: setHash, probesPerCategory: [:])]
                .probesPerCategory[category, default: 0] += 1
        }
        return usage.values.sorted { ($0.name, $0.version) < ($1.name, $1.version) }
    }

    /// Failed requests stored per model for the probes used.
    public func failedRequests(models: [String], probeHashes: Set<String>) throws -> [String: Int] {
        let rows = try strings("""
            SELECT m.name, p.contentHash FROM response r JOIN model m ON m.id = r.modelID
            JOIN probe p ON p.id = r.probeID WHERE r.status = 'failed'
            """)
        let wanted = Set(models)
        var counts: [String: Int] = [:]
        for row in rows where wanted.contains(row[0]!) && probeHashes.contains(row[1]!) {
            counts[row[0]!, default: 0] += 1
        }
        return counts
    }

    /// Manifest entries for the store's current successful responses of `models` to the probes
    /// `probeIDs` (by the store's probe hash column, used only as an identifier), every hash
    /// recomputed from the stored text.
    public func currentEntries(models: [String], probeIDs: Set<String>) throws -> [ReportManifest.Entry] {
        let rows = try strings("""
            SELECT m.name, p.contentHash, p.system, p.turns, CAST(r.sampleIndex AS TEXT), r.parameters, r.turns,
                   r.finishReason, r.requestBody, r.responseBody
            FROM response r JOIN model m ON m.id = r.modelID JOIN probe p ON p.id = r.probeID
            WHERE r.status = 'ok' AND m.name IN (\(databaseQuestionMarks(count: max(1, models.count))))
            """, arguments: models.isEmpty ? [""] : models)
        let decoder = JSONDecoder()
        var probes: [String: ReportManifest.Entry] = [:]
        var entries: [ReportManifest.Entry] = []
        for row in rows {
            let probeID = row[1]!
            guard probeIDs.contains(probeID) else { continue }
            let content = ProbeContent(system: row[2], turns: try decoder.decode([String].self, from: Data(row[3]!.utf8)))
            let probeHash = content.contentHash
            probes[probeID] = ReportManifest.Entry(kind: .probe, id: probeID, hash: probeHash)
            entries.append(ReportManifest.responseEntry(
                model: row[0]!, probeID: probeID, probeHash: probeHash, sampleIndex: Int(row[4]!)!,
                parameters: try decoder.decode(SamplingParameters.self, from: Data(row[5]!.utf8)),
                turns: try decoder.decode([String].self, from: Data(row[6]!.utf8)),
                raw: ReportManifest.RawEvidence(finishReason: row[7], requestBody: row[8], responseBody: row[9])))
        }
        // Probes no longer answered still count as present when their row exists.
        let missing = probeIDs.subtracting(probes.keys)
        if !missing.isEmpty {
            for row in try strings("SELECT contentHash, system, turns FROM probe") {
                let id = row[0]!
                guard missing.contains(id) else { continue }
                let content = ProbeContent(system: row[1], turns: try decoder.decode([String].self, from: Data(row[2]!.utf8)))
                probes[id] = ReportManifest.Entry(kind: .probe, id: id, hash: content.contentHash)
            }
        }
        return Array(probes.values) + entries
    }

    /// The finish reason and raw bodies of the successful responses `ids`, for the manifest.
    public func rawEvidence(ids: Set<Int64>) throws -> [Int64: ReportManifest.RawEvidence] {
        try store.read { db in
            var evidence: [Int64: ReportManifest.RawEvidence] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT id, finishReason, requestBody, responseBody FROM response WHERE status = 'ok'")
            while let row = try rows.next() {
                let id: Int64 = row[0]
                guard ids.contains(id) else { continue }
                evidence[id] = ReportManifest.RawEvidence(finishReason: row[1], requestBody: row[2], responseBody: row[3])
            }
            return evidence
        }
    }

    /// Rows of a query whose columns are all text (or NULL).
    private func strings(_ sql: String, arguments: [String] = []) throws -> [[String?]] {
        try store.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                (0..<row.count).map { row[$0] as String? }
            }
        }
    }
}
