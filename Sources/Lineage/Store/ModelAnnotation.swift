import Foundation
import GRDB

/// What is publicly known about a model: who made it and what it was trained on, with the source.
///
/// Attribution needs it to build a sound panel (a control must be a model known not to be trained on
/// the reference maker's outputs), and a report prints it, because whoever relies on the verdict must
/// be able to justify each control.
public struct ModelAnnotation: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "modelAnnotation"

    /// What a model's instruction data were, as its public card states it.
    public enum TrainingData: String, Codable, Sendable, CaseIterable {
        /// The maker's own model (e.g. gpt-4 for OpenAI): the reference side of its maker.
        case original
        /// Trained mainly on human-written instruction data.
        case human
        /// No instruction tuning.
        case base
        /// Preference-tuned on its own sampled answers, no other model's answers.
        case selfTuned = "self"
        /// Trained mainly on the outputs of `teacher`'s models.
        case distilled
        /// Made from `teacher`'s released weights (a fine-tune, or pruning plus logit distillation).
        case derived
        /// Some distilled data among human data.
        case mixed
        /// The card does not say.
        case undisclosed
    }

    public var model: String
    public var maker: String?
    public var trainedOn: TrainingData
    /// The maker whose outputs (`distilled`) or weights (`derived`) the model comes from.
    public var teacher: String?
    /// Where the statement comes from: a URL or a citation.
    public var source: String?
    public var note: String?

    public init(model: String, maker: String? = nil, trainedOn: TrainingData, teacher: String? = nil,
                source: String? = nil, note: String? = nil) {
        self.model = model
        self.maker = maker
        self.trainedOn = trainedOn
        self.teacher = teacher
        self.source = source
        self.note = note
    }

    /// One line for a report or a terminal: `made by Meta; trained on human-written data (source: URL)`.
    public var summary: String {
        var parts: [String] = []
        if let maker { parts.append("made by \(maker)") }
        switch trainedOn {
        case .original: parts.append("the maker's own model")
        case .human: parts.append("trained on human-written data")
        case .base: parts.append("a base model (no instruction tuning)")
        case .selfTuned: parts.append("tuned on its own answers")
        case .distilled: parts.append("trained on outputs of \(teacher ?? "an unnamed maker")'s models")
        case .derived: parts.append("made from \(teacher ?? "an unnamed maker")'s weights")
        case .mixed: parts.append("some distilled data among human data")
        case .undisclosed: parts.append("training data undisclosed")
        }
        if let note, !note.isEmpty { parts.append(note) }
        return parts.joined(separator: "; ") + (source.map { " (source: \($0))" } ?? "")
    }

    /// Whether this model can stand as a control for a reference made by `referenceMaker`: it is known
    /// not to be trained on that maker's outputs. Mixed and undisclosed data never qualify.
    public func isControl(forReferenceMaker referenceMaker: String) -> Bool {
        let m = referenceMaker.lowercased()
        switch trainedOn {
        case .human, .base, .selfTuned: return maker?.lowercased() != m
        case .original: return maker.map { $0.lowercased() != m } ?? false
        case .distilled, .derived: return teacher.map { $0.lowercased() != m } ?? false && maker?.lowercased() != m
        case .mixed, .undisclosed: return false
        }
    }

    /// The maker whose behaviour the model carries: its own maker for an original model, the teacher for
    /// a distilled or derived one.
    public var lineageMaker: String? {
        switch trainedOn {
        case .distilled, .derived: teacher
        default: maker
        }
    }
}

extension ResponseStore {
    static func registerAnnotationMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2: model annotations") { db in
            try db.create(table: "modelAnnotation") { t in
                t.primaryKey("model", .text)
                t.column("maker", .text)
                t.column("trainedOn", .text).notNull()
                t.column("teacher", .text)
                t.column("source", .text)
                t.column("note", .text)
            }
        }
    }

    /// Records (or replaces) what is known about models, in one transaction.
    public func annotate(_ annotations: [ModelAnnotation]) throws {
        try write { db in
            for annotation in annotations { try annotation.save(db) }
        }
    }

    /// Every annotation, keyed by model name.
    public func annotations() throws -> [String: ModelAnnotation] {
        try read { db in
            Dictionary(try ModelAnnotation.fetchAll(db).map { ($0.model, $0) }, uniquingKeysWith: { $1 })
        }
    }
}
