import Foundation

/// A whole study in one reviewed file (`lineage study STUDY.yaml`): the models and their roles, the
/// probe set, the samples, how to collect, the analysis and where the report goes. The file is what a
/// legal team reviews and a CI job runs; its SHA-256 is recorded in the result, and so covered by
/// the report's manifest.
///
/// ```yaml
/// name: release-check
/// store: results/release.sqlite          # optional: else --store, $LINEAGE_STORE, the default
/// probes: probes/core.yaml               # the probe set collection asks
/// collect:                               # optional: without it, the store must hold the answers
///   config: models.yaml                  # the models' configuration (endpoints, keys' variables)
///   models: [suspect-model, gpt-ref, ctrl-a, ctrl-b]
///   samples: 2
///   temperature: 0.7
///   max_tokens: 256
/// analysis:
///   kind: attribution                    # or equality
///   suspect: suspect-model
///   references: [gpt-ref]
///   alternative_references: [claude-ref]
///   controls: [ctrl-a, ctrl-b]
///   alpha: 0.05
///   seed: 7
/// report: results/release-report        # optional
/// ```
public struct StudyFile: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case attribution, equality }

    public struct Collection: Sendable, Equatable {
        public var config: String?
        public var models: [String]
        public var samples: Int
        public var temperature: Double?
        public var maxTokens: Int?
    }

    public var path: String
    /// SHA-256 of the file's bytes.
    public var sha256: String
    public var name: String
    public var store: String?
    public var probes: String?
    public var collection: Collection?
    public var kind: Kind
    public var suspect: String?
    public var references: [String]
    public var alternativeReferences: [String]
    public var controls: [String]
    public var modelA: String?
    public var modelB: String?
    public var alpha: Double?
    public var seed: Int?
    public var permutations: Int?
    public var report: String?

    /// Reads and checks a study file. Paths in it are relative to the file's folder. Errors name
    /// the file, the line and the field, and say how to fix it.
    public static func load(path: String) throws -> StudyFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ProbeSetError(file: path, "cannot read the study file", fix: "check the path")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProbeSetError(file: path, "the study file is not UTF-8 text", fix: "save it as UTF-8")
        }
        let root = try YAMLFields(try YAMLFields.root(of: text, file: path), file: path, path: "")
        try root.rejectUnknownKeys(["name", "description", "store", "probes", "collect", "analysis", "report"])
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ relative: String?) -> String? {
            relative.map { $0.hasPrefix("/") ? $0 : folder.appendingPathComponent($0).standardizedFileURL.path }
        }
        var collection: Collection?
        if let collect = try root.fields("collect") {
            try collect.rejectUnknownKeys(["config", "models", "samples", "temperature", "max_tokens"])
            guard let models = try collect.stringList("models"), !models.isEmpty else {
                throw collect.error("models", "missing required field `models`", fix: "list the models to ask, e.g. `models: [suspect, reference, control-a, control-b]`")
            }
            collection = Collection(config: resolve(try collect.string("config")), models: models,
                                    samples: try collect.int("samples", in: 1...1000) ?? 1,
                                    temperature: try collect.double("temperature", in: 0...2),
                                    maxTokens: try collect.int("max_tokens", in: 1...1_000_000))
        }
        let probes = resolve(try root.string("probes"))
        if collection != nil && probes == nil {
            throw root.error("collect", "`collect` needs the probe set to ask", fix: "add `probes: PATH.yaml` (e.g. probes/core.yaml)")
        }
        guard let analysis = try root.fields("analysis") else {
            throw root.error(nil, "missing required field `analysis`", fix: "add `analysis:` with `kind: attribution` (or equality) and the models' roles")
        }
        try analysis.rejectUnknownKeys(["kind", "suspect", "references", "alternative_references", "controls", "model_a", "model_b",
                                        "alpha", "seed", "permutations"])
        let kindText = try analysis.requireString("kind", fix: "`kind: attribution` or `kind: equality`")
        guard let kind = Kind(rawValue: kindText) else {
            throw analysis.error("kind", "unknown analysis `\(kindText)`", fix: "use one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var study = StudyFile(
            path: path, sha256: ContentHash.sha256(data), name: try root.requireString("name", fix: "name the study, e.g. `name: release-check`"),
            store: resolve(try root.string("store")), probes: probes, collection: collection, kind: kind,
            suspect: try analysis.string("suspect"), references: try analysis.stringList("references") ?? [],
            alternativeReferences: try analysis.stringList("alternative_references") ?? [], controls: try analysis.stringList("controls") ?? [],
            modelA: try analysis.string("model_a"), modelB: try analysis.string("model_b"),
            alpha: try analysis.double("alpha", in: 0.000_001...0.5), seed: try analysis.int("seed", in: 0...Int(Int32.max)),
            permutations: try analysis.int("permutations", in: 99...999_999), report: resolve(try root.string("report")))
        switch kind {
        case .attribution:
            guard study.suspect != nil else { throw analysis.error(nil, "an attribution needs `suspect`", fix: "add `suspect: MODEL`") }
            guard !study.references.isEmpty else { throw analysis.error(nil, "an attribution needs `references`", fix: "add `references: [MODEL]`") }
            if study.modelA != nil || study.modelB != nil {
                throw analysis.error("model_a", "`model_a` and `model_b` are for `kind: equality`", fix: "name the roles with suspect, references, controls")
            }
        case .equality:
            guard study.modelA != nil, study.modelB != nil else {
                throw analysis.error(nil, "an equality test needs `model_a` and `model_b`", fix: "add `model_a: MODEL` and `model_b: MODEL` (the same twice for a self-check)")
            }
            if study.suspect != nil || !study.references.isEmpty || !study.controls.isEmpty {
                throw analysis.error("suspect", "roles are for `kind: attribution`", fix: "name the two models with model_a and model_b")
            }
        }
        study.collection = collection
        return study
    }
}
