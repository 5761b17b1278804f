import Foundation

/// Writes a report folder: `report.html`, `report.md`, `result.json` and `manifest.json`.
///
/// The folder is written in full to a temporary sibling and then renamed into place, so a
/// failure leaves either the old folder or nothing, never half a report.
public enum ReportWriter {
    public static let htmlFile = "report.html"
    public static let markdownFile = "report.md"
    public static let resultFile = "result.json"
    public static let manifestFile = "manifest.json"
    /// How many probes "weigh most" in a report.
    public static let highlightCount = 5

    public enum Format: String, CaseIterable, Sendable {
        case html, md, json
    }

    /// Writes the report on `subject` to `directory` (replacing a previous one there).
    /// `responses` are the successful responses the result was computed from: the manifest
    /// hashes them, and the highlights and data-quality counts come from them when the result
    /// does not carry its own. With `store`, probe ids, probe-set usage and failed requests are
    /// looked up there. With `signingKey` (a key file of `lineage keys create`), the manifest
    /// carries an Ed25519 signature of the root hash.
    @discardableResult
    public static func write(_ subject: ReportSubject, responses: [StoredResponse], store: ResponseStore? = nil,
                             to directory: String, signingKey: String? = nil) throws -> (subject: ReportSubject, manifest: ReportManifest) {
        let (prepared, contentManifest) = try prepare(subject, responses: responses, store: store)
        let (subject, files, sealed) = try seal(prepared, contentManifest)
        var manifest = sealed
        if let signingKey { manifest.signature = try ReportSignature.sign(rootHash: manifest.rootHash, keyFile: signingKey) }
        try replaceFolder(directory) { staging in
            for (name, data) in files { try data.write(to: staging.appendingPathComponent(name)) }
            try Data(try LineageJSON.string(manifest).utf8).write(to: staging.appendingPathComponent(manifestFile))
        }
        return (subject, manifest)
    }

    /// Writes a folder whole: `fill` writes into a fresh temporary sibling, which is then renamed to
    /// `directory`, replacing a previous folder there only once the new one is complete. A failure
    /// leaves the old folder (or nothing) and removes the temporary one.
    public static func replaceFolder(_ directory: String, fill: (URL) throws -> Void) throws {
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).writing-\(UUID().uuidString)")
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            try fill(staging)
            if fileManager.fileExists(atPath: target.path) {
                let old = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(UUID().uuidString)")
                try fileManager.moveItem(at: target, to: old)
                do {
                    try fileManager.moveItem(at: staging, to: target)
                } catch {
                    try? fileManager.moveItem(at: old, to: target)
                    throw error
                }
                try? fileManager.removeItem(at: old)
            } else {
                try fileManager.moveItem(at: staging, to: target)
            }
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
    }

    /// The report files of `subject` and the final manifest: each file rendered once with the
    /// root placeholder (hashed into a `file` entry), the root computed over the content and file
    /// entries, then each file rendered again stating that root. The subject returned states it too.
    public static func seal(_ subject: ReportSubject, _ contentManifest: ReportManifest) throws
        -> (subject: ReportSubject, files: [(name: String, data: Data)], manifest: ReportManifest) {
        func render(root: String) throws -> (ReportSubject, [(name: String, data: Data)]) {
            var manifest = contentManifest
            manifest.rootHash = root
            let stated = subject.withRootHash(root)
            return (stated, [(resultFile, Data(try stated.json().utf8)),
                             (markdownFile, Data(MarkdownReport.render(stated, manifest: manifest).utf8)),
                             (htmlFile, Data(HTMLReport.render(stated, manifest: manifest).utf8))])
        }
        let (_, drafts) = try render(root: ReportManifest.rootPlaceholder)
        var manifest = contentManifest
        manifest.entries = ReportManifest.sorted(contentManifest.entries.filter { $0.kind != .file }
            + drafts.map { ReportManifest.Entry(kind: .file, id: $0.name, hash: ContentHash.sha256($0.data)) })
        manifest.rootHash = ReportManifest.rootHash(of: manifest.entries)
        let (stated, files) = try render(root: manifest.rootHash)
        for (file, draft) in zip(files, drafts) {
            // What verify will do: blank the root and find the draft again.
            guard ReportManifest.fileEntry(name: file.name, data: file.data, root: manifest.rootHash).hash
                    == ContentHash.sha256(draft.data) else {
                throw ReportError(file: file.name, problem: "the file does not render the same twice",
                                  fix: "this is a bug in Lineage; please report it with the command that wrote the report")
            }
            manifest.files[file.name] = ContentHash.sha256(file.data)
        }
        return (stated, files, manifest)
    }

    public static func render(_ subject: ReportSubject, manifest: ReportManifest?, as format: Format) throws -> String {
        switch format {
        case .html: HTMLReport.render(subject, manifest: manifest)
        case .md: MarkdownReport.render(subject, manifest: manifest)
        case .json: try subject.json()
        }
    }

    /// Reads a report folder or a bare result JSON file: the result, and the manifest when there is one.
    public static func read(_ path: String) throws -> (subject: ReportSubject, manifest: ReportManifest?) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReportError(file: path, problem: "no such file or folder", fix: "pass a report folder or its result.json")
        }
        let folder = isDirectory.boolValue ? URL(fileURLWithPath: path) : URL(fileURLWithPath: path).deletingLastPathComponent()
        let resultURL = isDirectory.boolValue ? folder.appendingPathComponent(resultFile) : URL(fileURLWithPath: path)
        guard let data = try? Data(contentsOf: resultURL) else {
            throw ReportError(file: resultURL.path, problem: "cannot read the result", fix: "pass a report folder holding \(resultFile), or a result JSON file")
        }
        let subject = try ReportSubject.decode(data, file: resultURL.path)
        var manifest: ReportManifest?
        if let manifestData = try? Data(contentsOf: folder.appendingPathComponent(manifestFile)),
           let decoded = try? LineageJSON.decoder.decode(ReportManifest.self, from: manifestData),
           decoded.resultSchema == subject.schema, decoded.files[resultFile].map({ $0 == ContentHash.sha256(data) }) ?? false {
            manifest = decoded
        }
        return (subject, manifest)
    }

    /// The result with its highlights and data quality filled in, and the manifest of `responses`.
    public static func prepare(_ subject: ReportSubject, responses: [StoredResponse],
                               store: ResponseStore?) throws -> (ReportSubject, ReportManifest) {
        let probeHashes = Set(responses.map(\.probeHash))
        let evidence = store.map(StoreEvidence.init)
        let labels = try evidence?.probeLabels(probeHashes: probeHashes) ?? [:]
        let failed = try evidence?.failedRequests(models: subject.models, probeHashes: probeHashes) ?? [:]
        let raw = try evidence?.rawEvidence(ids: Set(responses.map(\.id))) ?? [:]
        let quality = dataQuality(responses: responses, failed: failed, models: subject.models)
        var subject = subject
        switch subject {
        case .attribution(var result):
            if result.highlights == nil, let test = result.tests.first(where: { !($0.perProbe ?? []).isEmpty }) {
                let roles = [(result.suspect, "suspect"), (result.reference, "reference")] + result.controls.map { ($0, "control") }
                result.highlights = highlights(test: test, roles: roles, responses: responses)
            }
            if result.dataQuality == nil { result.dataQuality = quality }
            subject = .attribution(result)
        case .equality(var result):
            if result.highlights == nil, !(result.test.perProbe ?? []).isEmpty {
                result.highlights = highlights(test: result.test, roles: [(result.modelA, "A"), (result.modelB, "B")], responses: responses)
            }
            if result.dataQuality == nil { result.dataQuality = quality }
            subject = .equality(result)
        case .comparison(var result):
            if result.dataQuality == nil { result.dataQuality = quality }
            subject = .comparison(result)
        case .servedSample(var result):
            if result.highlights == nil, !(result.test.perProbe ?? []).isEmpty {
                result.highlights = highlights(test: result.test, roles: [(result.suspect, "suspect"), (result.served, "served"), (result.fresh, "fresh")],
                                               responses: responses)
            }
            if result.dataQuality == nil { result.dataQuality = quality }
            subject = .servedSample(result)
        case .radioactivity(var result):
            if result.dataQuality == nil { result.dataQuality = quality }
            subject = .radioactivity(result)
        }
        let manifest = ReportManifest(resultSchema: subject.schema, models: subject.models,
                                      entries: ReportManifest.entries(for: responses, raw: raw, probeLabels: labels.mapValues(\.id)))
        return (subject, manifest)
    }

    /// How many of the most negative probes (those that weigh against the alternative) a report shows beside them.
    public static let counterHighlightCount = 2

    /// The probes with the largest effects toward the alternative, then the most negative ones
    /// (the evidence against it), with each model's first sample.
    static func highlights(test: HypothesisTestResult, roles: [(model: String, role: String)],
                           responses: [StoredResponse]) -> [ProbeHighlight] {
        let byProbe = Dictionary(grouping: responses, by: \.probeHash)
        let sorted = (test.perProbe ?? []).filter { byProbe[$0.probeHash] != nil }
            .sorted { ($0.effect, $1.probeID) > ($1.effect, $0.probeID) }
        let top = Array(sorted.prefix(highlightCount))
        let against = sorted.dropFirst(top.count).reversed().filter { $0.effect < 0 }.prefix(counterHighlightCount)
        return (top + against).map { effect in
            let answers = byProbe[effect.probeHash] ?? []
            let probe = answers[0].probe
            return ProbeHighlight(
                probeID: effect.probeID, probeHash: effect.probeHash, category: effect.category, effect: effect.effect,
                test: test.name, system: probe.system, prompt: probe.turns,
                answers: roles.compactMap { model, role in
                    answers.filter { $0.model == model }.min { ($0.sampleIndex, $0.id) < ($1.sampleIndex, $1.id) }
                        .map { ProbeHighlight.Answer(model: model, role: role, sampleIndex: $0.sampleIndex, turns: $0.turns) }
                })
        }
    }

    static func dataQuality(responses: [StoredResponse], failed: [String: Int], models: [String]) -> DataQuality {
        var counts: [String: DataQuality.ModelCounts] = [:]
        for model in models { counts[model] = .init(responses: 0, failed: failed[model] ?? 0, empty: 0, truncated: 0) }
        for response in responses {
            var entry = counts[response.model] ?? .init(responses: 0, failed: failed[response.model] ?? 0, empty: 0, truncated: 0)
            entry.responses += 1
            if response.turns.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) { entry.empty += 1 }
            if response.finishReason == "length" { entry.truncated += 1 }
            if (response.finishReason ?? "").isEmpty { entry.finishUnknown = (entry.finishUnknown ?? 0) + 1 }
            counts[response.model] = entry
        }
        var notes: [String] = []
        for (model, c) in counts.sorted(by: { $0.key < $1.key }) {
            if c.responses == 0 { notes.append("\(model): no responses among those used") }
            if c.failed > 0 { notes.append("\(model): \(c.failed) failed requests (not used)") }
            if c.empty > 0 { notes.append("\(model): \(c.empty) of \(c.responses) answers are empty") }
            if c.truncated > 0 { notes.append("\(model): \(c.truncated) of \(c.responses) answers were cut off at the token limit") }
            if let unknown = c.finishUnknown, unknown > 0 {
                notes.append("\(model): \(unknown) of \(c.responses) answers carry no finish reason, so whether they were cut off "
                             + "at the token limit is unknown (collect with `lineage run`, or import with \"finish_reason\")")
            }
        }
        return DataQuality(models: counts, notes: notes)
    }
}
