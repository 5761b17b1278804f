import Foundation

/// `lineage verify`: recomputes a report's root hash from scratch, from the store and the
/// report's own files, and says what changed, went missing or was added since it was written.
public struct ReportVerification: Codable, Sendable, Equatable {
    public var schema = "lineage.verification/v2"
    public var report: String
    public var store: String
    /// The root hash the manifest states.
    public var rootHash: String
    /// The root hash recomputed from the store and the report files.
    public var recomputedRootHash: String
    /// Entries (`kind id`) whose content differs from the manifest's hash.
    public var changed: [String]
    /// Entries in the manifest that the store (or the folder) no longer holds.
    public var removed: [String]
    /// Responses the store now holds for the report's models and probes that the report did not use.
    public var added: [String]
    /// Report files whose bytes differ from the manifest's hash, or that are missing.
    public var filesChanged: [String]
    /// Files in the report folder that the manifest does not list.
    public var unlistedFiles: [String]
    /// Everything else that does not hold: the root the files print, the manifest's own consistency.
    public var problems: [String]
    /// The public key (hex) whose valid Ed25519 signature of the root the manifest carries, if any.
    public var signedBy: String? = nil

    public var intact: Bool {
        changed.isEmpty && removed.isEmpty && added.isEmpty && filesChanged.isEmpty && unlistedFiles.isEmpty
            && problems.isEmpty && rootHash == recomputedRootHash
    }
}

public enum ReportVerifier {
    /// With `signer` (a public key, hex), the report must carry that key's valid signature of its root.
    public static func verify(reportDirectory: String, store: ResponseStore, signer: String? = nil) throws -> ReportVerification {
        let folder = URL(fileURLWithPath: reportDirectory)
        let manifestURL = folder.appendingPathComponent(ReportWriter.manifestFile)
        let manifest = try readManifest(manifestURL)
        let root = manifest.rootHash
        var problems: [String] = []

        // The folder holds the manifest and the files it lists, nothing else.
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0 != ReportWriter.manifestFile }.sorted()
        let unlisted = present.filter { manifest.files[$0] == nil }
        for name in ReportManifest.reportFiles where manifest.files[name] == nil {
            problems.append("manifest.json does not list \(name), which every report holds")
        }
        var filesChanged: [String] = []
        var fileData: [String: Data] = [:]
        for name in Set(manifest.files.keys).union(ReportManifest.reportFiles).sorted() {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else {
                filesChanged.append("\(name) (missing)")
                continue
            }
            fileData[name] = data
            if let hash = manifest.files[name], ContentHash.sha256(data) != hash { filesChanged.append(name) }
        }

        // The root the report states, in each file that states it; the result's models and probes.
        var probeIDs = Set(manifest.probes.map(\.id))
        if let data = fileData[ReportWriter.resultFile] {
            let subject = try? ReportSubject.decode(data, file: ReportWriter.resultFile)
            if subject?.rootHash != root {
                problems.append("result.json states root hash \(subject?.rootHash ?? "(none)"), manifest.json states \(root)")
            }
            if let subject, subject.models != manifest.models {
                problems.append("result.json is about models \(subject.models.joined(separator: ", ")), manifest.json lists \(manifest.models.joined(separator: ", "))")
            }
            let unlistedProbes = (subject?.namedProbeHashes ?? []).subtracting(probeIDs)
            if !unlistedProbes.isEmpty {
                problems.append("result.json names \(unlistedProbes.count) probes the manifest does not list: \(unlistedProbes.sorted().prefix(3).joined(separator: ", "))")
                probeIDs.formUnion(unlistedProbes)
            }
        }
        for name in [ReportWriter.htmlFile, ReportWriter.markdownFile] {
            if let data = fileData[name], data.range(of: Data(root.utf8)) == nil {
                problems.append("\(name) does not print the manifest's root hash \(root)")
            }
        }
        if ReportManifest.rootHash(of: manifest.entries) != root {
            problems.append("the manifest's entries do not hash to the root hash it states (manifest.json was edited)")
        }
        if manifest.responses.isEmpty { problems.append("the manifest lists no responses") }
        var signedBy: String?
        if let signature = manifest.signature {
            if signature.isValid(for: root) { signedBy = signature.publicKey }
            else { problems.append("the manifest's signature is not a valid Ed25519 signature of its root hash by key \(signature.publicKey)") }
        }
        if let signer {
            if manifest.signature == nil { problems.append("the report is not signed; it was to be signed by key \(signer)") }
            else if manifest.signature?.publicKey.lowercased() != signer.lowercased() {
                problems.append("the report is signed by key \(manifest.signature!.publicKey), not by \(signer)")
            }
        }

        // Every entry recomputed from scratch: the store's text for probes and responses, the
        // files' bytes (root blanked) for the files.
        var current = try StoreEvidence(store: store).currentEntries(models: manifest.models, probeIDs: probeIDs)
        for name in Set(manifest.fileEntries.map(\.id)).union(ReportManifest.reportFiles).sorted() {
            if let data = fileData[name] { current.append(ReportManifest.fileEntry(name: name, data: data, root: root)) }
        }

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
        return ReportVerification(report: reportDirectory, store: store.path, rootHash: root,
                                  recomputedRootHash: ReportManifest.rootHash(of: current),
                                  changed: changed, removed: removed, added: added, filesChanged: filesChanged,
                                  unlistedFiles: unlisted, problems: problems, signedBy: signedBy)
    }

    static func readManifest(_ url: URL) throws -> ReportManifest {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ReportError(file: url.path, problem: "cannot read the manifest (\(error.localizedDescription))",
                              fix: "pass a report folder written by `lineage ... --report DIR` or `lineage tree --report DIR`")
        }
        struct Header: Decodable { let schema: String? }
        let schema = (try? LineageJSON.decoder.decode(Header.self, from: data))?.schema
        if schema == "lineage.manifest/v1" {
            throw ReportError(file: url.path, problem: "written by an older Lineage (lineage.manifest/v1), whose root hash covered neither the result, the raw replies nor the report files",
                              fix: "write the report again with this version (the same `lineage ... --report DIR` command)")
        }
        do {
            let manifest = try LineageJSON.decoder.decode(ReportManifest.self, from: data)
            guard manifest.schema == ReportManifest.schemaName else {
                throw ReportError(file: url.path, problem: "unknown manifest schema \"\(manifest.schema)\"",
                                  fix: "expected \(ReportManifest.schemaName); verify with the Lineage version that wrote the report")
            }
            return manifest
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError(file: url.path, problem: "cannot read the manifest (\(error))",
                              fix: "pass a report folder written by `lineage ... --report DIR` or `lineage tree --report DIR`")
        }
    }
}
