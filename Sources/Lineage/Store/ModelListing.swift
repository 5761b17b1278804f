import Foundation

/// What `lineage models --json` prints (schema lineage.models/v1).
public struct ModelListing: Codable, Sendable, Equatable {
    public var schema = "lineage.models/v1"
    public var store: String
    public var models: [ModelSummary]
    public var annotations: [ModelAnnotation]

    public init(store: String, models: [ModelSummary], annotations: [ModelAnnotation]) {
        self.store = store
        self.models = models
        self.annotations = annotations
    }
}
