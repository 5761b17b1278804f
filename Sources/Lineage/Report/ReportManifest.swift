import Foundation

/// The SHA-256 of every probe and response a report used, and one root hash over them all.
///
/// Every hash is recomputed from content, never copied from the store's hash columns: a probe's
/// is `ProbeContent.contentHash` of its system prompt and turns; a response's is
/// `ResponseRecord.computeContentHash` of its model, its probe's recomputed hash, sample index,
/// sampling parameters, status and answer turns. The root hash is the SHA-256 of the UTF-8 text
/// made of one line `kind<TAB>id<TAB>hash<LF>` per entry, lines sorted bytewise — anyone can
/// recompute it from `manifest.json` with a few lines of shell or Python.
public struct ReportManifest: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.manifest/v1"
    public static let rootHashMethod = "SHA-256 of the UTF-8 text of one line \"kind<TAB>id<TAB>hash<LF>\" per entry, lines sorted bytewise"

    public struct Entry: Codable, Sendable, Equatable, Hashable {
        public enum Kind: String, Codable, Sendable { case probe, response }
        public var kind: Kind
        /// For a probe, its content hash as the store knew it when the report was made; for a
        /// response, `model|probe hash|sample index|sampling parameters (canonical JSON)`.
        public var id: String
        public var hash: String
        /// A probe's id in its probe set, for people reading the manifest.
        public var label: String?

        public init(kind: Kind, id: String, hash: String, label: String? = nil) {
            self.kind = kind
            self.id = id
            self.hash = hash
            self.label = label
        }

        var line: String { "\(kind.rawValue)\t\(id)\t\(hash)\n" }
    }

    public var schema: String = ReportManifest.schemaName
    public var resultSchema: String
    public var models: [String]
    public var rootHash: String
    public var rootHashMethod: String = ReportManifest.rootHashMethod
    public var entries: [Entry]
    /// SHA-256 of each file of the report folder except this manifest.
    public var files: [String: String]

    public init(resultSchema: String, models: [String], entries: [Entry], files: [String: String] = [:]) {
        self.resultSchema = resultSchema
        self.models = models
        self.entries = entries.sorted { ($0.kind.rawValue, $0.id, $0.hash) < ($1.kind.rawValue, $1.id, $1.hash) }
        self.rootHash = Self.rootHash(of: entries)
        self.files = files
    }

    public static func rootHash(of entries: [Entry]) -> String {
        ContentHash.sha256(entries.map(\.line).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined())
    }

    public var probes: [Entry] { entries.filter { $0.kind == .probe } }
    public var responses: [Entry] { entries.filter { $0.kind == .response } }

    /// Entries for `responses` and their probes, hashes recomputed from content.
    public static func entries(for responses: [StoredResponse], probeLabels: [String: String] = [:]) -> [Entry] {
        var probes: [String: Entry] = [:]
        var entries: [Entry] = []
        for response in responses {
            let probeHash = response.probe.contentHash
            probes[response.probeHash] = Entry(kind: .probe, id: response.probeHash, hash: probeHash,
                                               label: probeLabels[response.probeHash])
            entries.append(responseEntry(model: response.model, probeID: response.probeHash, probeHash: probeHash,
                                         sampleIndex: response.sampleIndex, parameters: response.parameters,
                                         turns: response.turns))
        }
        return Array(probes.values) + entries
    }

    static func responseEntry(model: String, probeID: String, probeHash: String, sampleIndex: Int,
                              parameters: SamplingParameters, turns: [String]) -> Entry {
        Entry(kind: .response, id: "\(model)|\(probeID)|\(sampleIndex)|\(parameters.key)",
              hash: ResponseRecord.computeContentHash(model: model, probeHash: probeHash, sampleIndex: sampleIndex,
                                                      parameters: parameters, status: .ok, turns: turns, error: nil))
    }
}
