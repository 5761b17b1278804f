import Foundation

/// The SHA-256 of everything a report rests on and states, and one root hash over them all:
/// every probe, every response (its answer, finish reason and raw request and reply bodies), the
/// result JSON (which holds the configuration, the command and the seeds) and each report file.
///
/// Every hash is recomputed from content, never copied from the store's hash columns:
/// - a probe's is `ProbeContent.contentHash` of its system prompt and turns;
/// - a response's is the SHA-256 of the canonical JSON (keys sorted, absent fields left out) of
///   `{content_hash, finish_reason, request_body_sha256, response_body_sha256}`, where
///   `content_hash` is `ResponseRecord.computeContentHash` of its model, its probe's recomputed
///   hash, sample index, sampling parameters, status and answer turns;
/// - a report file's (`result.json`, `report.md`, `report.html`) is the SHA-256 of its bytes with
///   every occurrence of the root hash replaced by 64 zeros, since each file prints the root.
///
/// The root hash is the SHA-256 of the UTF-8 text made of one line `kind<TAB>id<TAB>hash<LF>` per
/// entry, lines sorted bytewise: anyone can recompute it from `manifest.json` with a few lines of
/// shell or Python, and `lineage verify` recomputes every entry from the store and the files.
public struct ReportManifest: Codable, Sendable, Equatable {
    public static let schemaName = "lineage.manifest/v2"
    public static let rootHashMethod = "SHA-256 of the UTF-8 text of one line \"kind<TAB>id<TAB>hash<LF>\" per entry, lines sorted bytewise"
    /// What a report file carries in place of the root while the root is computed.
    public static let rootPlaceholder = String(repeating: "0", count: 64)
    /// The files every report folder holds besides `manifest.json`.
    public static let reportFiles = [ReportWriter.resultFile, ReportWriter.markdownFile, ReportWriter.htmlFile]

    public struct Entry: Codable, Sendable, Equatable, Hashable {
        public enum Kind: String, Codable, Sendable { case probe, response, file }
        public var kind: Kind
        /// For a probe, its content hash as the store knew it when the report was made; for a
        /// response, `model|probe hash|sample index|sampling parameters (canonical JSON)`; for a
        /// file, its name in the report folder.
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
    /// SHA-256 of each file of the report folder except this manifest, byte for byte as written
    /// (what `sha256sum` prints; the `file` entries hash the same bytes with the root blanked).
    public var files: [String: String]
    /// An Ed25519 signature of the root hash, when the report was written with a signing key.
    public var signature: ReportSignature? = nil

    public init(resultSchema: String, models: [String], entries: [Entry], files: [String: String] = [:]) {
        self.resultSchema = resultSchema
        self.models = models
        self.entries = Self.sorted(entries)
        self.rootHash = Self.rootHash(of: entries)
        self.files = files
    }

    static func sorted(_ entries: [Entry]) -> [Entry] {
        entries.sorted { ($0.kind.rawValue, $0.id, $0.hash) < ($1.kind.rawValue, $1.id, $1.hash) }
    }

    public static func rootHash(of entries: [Entry]) -> String {
        ContentHash.sha256(entries.map(\.line).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined())
    }

    public var probes: [Entry] { entries.filter { $0.kind == .probe } }
    public var responses: [Entry] { entries.filter { $0.kind == .response } }
    public var fileEntries: [Entry] { entries.filter { $0.kind == .file } }

    /// What a response's entry covers besides its content: why it stopped and the raw bodies.
    public struct RawEvidence: Sendable, Hashable {
        public var finishReason: String?
        public var requestBody: String?
        public var responseBody: String?

        public init(finishReason: String?, requestBody: String?, responseBody: String?) {
            self.finishReason = finishReason
            self.requestBody = requestBody
            self.responseBody = responseBody
        }
    }

    /// Entries for `responses` and their probes, hashes recomputed from content. `raw` holds each
    /// response's raw bodies by id (from the store); a response missing there is hashed with its
    /// finish reason and no bodies.
    public static func entries(for responses: [StoredResponse], raw: [Int64: RawEvidence] = [:],
                               probeLabels: [String: String] = [:]) -> [Entry] {
        var probes: [String: Entry] = [:]
        var entries: [Entry] = []
        for response in responses {
            let probeHash = response.probe.contentHash
            probes[response.probeHash] = Entry(kind: .probe, id: response.probeHash, hash: probeHash,
                                               label: probeLabels[response.probeHash])
            let evidence = raw[response.id] ?? RawEvidence(finishReason: response.finishReason, requestBody: nil, responseBody: nil)
            entries.append(responseEntry(model: response.model, probeID: response.probeHash, probeHash: probeHash,
                                         sampleIndex: response.sampleIndex, parameters: response.parameters,
                                         turns: response.turns, raw: evidence))
        }
        return Array(probes.values) + entries
    }

    static func responseEntry(model: String, probeID: String, probeHash: String, sampleIndex: Int,
                              parameters: SamplingParameters, turns: [String], raw: RawEvidence) -> Entry {
        let content = ResponseRecord.computeContentHash(model: model, probeHash: probeHash, sampleIndex: sampleIndex,
                                                        parameters: parameters, status: .ok, turns: turns, error: nil)
        return Entry(kind: .response, id: "\(model)|\(probeID)|\(sampleIndex)|\(parameters.key)",
                     hash: responseHash(contentHash: content, raw: raw))
    }

    struct ResponseEvidence: Encodable {
        let contentHash: String
        let finishReason: String?
        let requestBodySHA256: String?
        let responseBodySHA256: String?

        enum CodingKeys: String, CodingKey {
            case contentHash = "content_hash", finishReason = "finish_reason"
            case requestBodySHA256 = "request_body_sha256", responseBodySHA256 = "response_body_sha256"
        }
    }

    /// SHA-256 of the canonical JSON `{content_hash, finish_reason, request_body_sha256, response_body_sha256}`.
    public static func responseHash(contentHash: String, raw: RawEvidence) -> String {
        ContentHash.of(ResponseEvidence(contentHash: contentHash, finishReason: raw.finishReason,
                                        requestBodySHA256: raw.requestBody.map(ContentHash.sha256),
                                        responseBodySHA256: raw.responseBody.map(ContentHash.sha256)))
    }

    /// A report file's entry: its bytes hashed with every occurrence of `root` blanked.
    public static func fileEntry(name: String, data: Data, root: String) -> Entry {
        Entry(kind: .file, id: name, hash: ContentHash.sha256(blanking(root, in: data)))
    }

    /// `data` with every occurrence of `root` (as UTF-8) replaced by `rootPlaceholder`.
    static func blanking(_ root: String, in data: Data) -> Data {
        let needle = Data(root.utf8)
        guard !needle.isEmpty, root != rootPlaceholder else { return data }
        var result = Data()
        result.reserveCapacity(data.count)
        var start = data.startIndex
        while let found = data.range(of: needle, in: start..<data.endIndex) {
            result.append(data[start..<found.lowerBound])
            result.append(Data(rootPlaceholder.utf8))
            start = found.upperBound
        }
        result.append(data[start..<data.endIndex])
        return result
    }
}
