import Foundation

/// `lineage verify`: recomputes a report's manifest from the store and its own files and says
/// what changed, went missing or was added since the report was written.
public struct ReportVerification: Codable, Sendable, Equatable {
    public var schema = "lineage.verification/v1"
    public var report: String
    public var store: String
    public var rootHash: String
    public var recomputedRootHash: String
    /// Entries (`kind id`) whose content differs from the manifest's hash.
    public var changed: [String]
    /// Entries in the manifest that the store no longer holds.
    public var removed: [String]
    /// Responses the store now holds for the report's models and probes that the report did not use.
    public var added: [String]
    /// Report files whose bytes differ from the manifest's hash, or that are missing.
    public var filesChanged: [String]

    public var intact: Bool { changed.isEmpty && removed.isEmpty && added.isEmpty && filesChanged.isEmpty }
}

public enum ReportVerifier {
    public static func verify(reportDirectory: String, store: ResponseStore) throws -> ReportVerification {
        let folder = URL(fileURLWithPath: reportDirectory)
        let manifestURL = folder.appendingPathComponent(ReportWriter.manifestFile)
        let manifest: ReportManifest
        do {
            manifest = try LineageJSON.decoder.decode(ReportManifest.self, from: Data(contentsOf: manifestURL))
        } catch {
            throw ReportError(file: manifestURL.path, problem: "cannot read the manifest (\(error.localizedDescription))",
                              fix: "pass a report folder written by `lineage ... --report DIR` or `lineage tree --report DIR`")
        }
        var filesChanged: [String] = []
        for (name, hash) in manifest.files.sorted(by: { $0.key < $1.key }) {
            let data = try? Data(contentsOf: folder.appendingPathComponent(name))
            if data.map(ContentHash.sha256) != hash { filesChanged.append(name) }
        }
        let probeIDs = Set(manifest.probes.map(\.id))
        let current = try StoreEvidence(store: store).currentEntries(models: manifest.models, probeIDs: probeIDs)

        func grouped(_ entries: [ReportManifest.Entry]) -> [String: [String]] {
            Dictionary(grouping: entries, by: { "\($0.kind.rawValue) \($0.id)" }).mapValues { $0.map(\.hash).sorted() }
        }
        let before = grouped(manifest.entries), now = grouped(current)
        var changed: [String] = [], removed: [String] = [], added: [String] = []
        for (key, hashes) in before.sorted(by: { $0.key < $1.key }) {
            guard let hashesNow = now[key] else { removed.append(key); continue }
            if hashesNow != hashes { changed.append(key) }
        }
        for key in now.keys.sorted() where before[key] == nil { added.append(key) }
        return ReportVerification(report: reportDirectory, store: store.path, rootHash: manifest.rootHash,
                                  recomputedRootHash: ReportManifest.rootHash(of: current),
                                  changed: changed, removed: removed, added: added, filesChanged: filesChanged)
    }
}
