import Foundation
import GRDB

/// Where the probes of a study come from: their ids and categories in their probe sets, and the
/// sets' usage for a result's `probeSets`.
public struct ProbeCatalog: Sendable {
    public struct Entry: Sendable {
        public var externalID: String
        public var category: String?
    }

    public var entries: [Int64: Entry]
    public var probeSets: [ProbeSetUsage]

    public init(entries: [Int64: Entry] = [:], probeSets: [ProbeSetUsage] = []) {
        self.entries = entries
        self.probeSets = probeSets
    }
}

extension ResponseStore {
    /// Probe-set membership of the given probes.
    public func probeCatalog(probeIDs: [Int64]) throws -> ProbeCatalog {
        let wanted = Set(probeIDs)
        return try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.probeID, m.externalID, m.category, s.name, s.version, s.contentHash
                FROM probeSetMember m JOIN probeSet s ON s.id = m.probeSetID
                ORDER BY s.id, m.externalID
                """)
            var entries: [Int64: ProbeCatalog.Entry] = [:]
            var usage: [String: ProbeSetUsage] = [:]
            var order: [String] = []
            for row in rows {
                let probeID: Int64 = row[0]
                guard wanted.contains(probeID) else { continue }
                let category: String? = row[2]
                if entries[probeID] == nil { entries[probeID] = .init(externalID: row[1], category: category) }
                let hash: String = row[5]
                if usage[hash] == nil {
                    usage[hash] = ProbeSetUsage(name: row[3], version: row[4], contentHash: hash, probesPerCategory: [:])
                    order.append(hash)
                }
                usage[hash]!.probesPerCategory[category ?? "uncategorised", default: 0] += 1
            }
            return ProbeCatalog(entries: entries, probeSets: order.map { usage[$0]! })
        }
    }
}
