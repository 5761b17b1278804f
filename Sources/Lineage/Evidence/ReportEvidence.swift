import Foundation

// Evidence a report shows beside the tests: the probes that weigh most, with the answers side
// by side, and the state of the data. Optional fields of `AttributionResult` and
// `EqualityResult`; `ReportWriter` fills them in from the responses when the analysis did not.

/// One probe that weighs much in a result, with every compared model's answer to it.
public struct ProbeHighlight: Codable, Sendable, Equatable {
    public var probeID: String
    public var probeHash: String
    public var category: String?
    /// The probe's effect in the test it was picked from.
    public var effect: Double
    /// The test it was picked from.
    public var test: String
    public var system: String?
    /// The probe's user turns.
    public var prompt: [String]
    public var answers: [Answer]

    enum CodingKeys: String, CodingKey {
        case probeID = "probeId", probeHash, category, effect, test, system, prompt, answers
    }

    public struct Answer: Codable, Sendable, Equatable {
        public var model: String
        /// The role the model plays here: "suspect", "reference", "control", "A", "B".
        public var role: String
        public var sampleIndex: Int
        public var turns: [String]

        public init(model: String, role: String, sampleIndex: Int, turns: [String]) {
            self.model = model
            self.role = role
            self.sampleIndex = sampleIndex
            self.turns = turns
        }
    }

    public init(probeID: String, probeHash: String, category: String?, effect: Double, test: String,
                system: String?, prompt: [String], answers: [Answer]) {
        self.probeID = probeID
        self.probeHash = probeHash
        self.category = category
        self.effect = effect
        self.test = test
        self.system = system
        self.prompt = prompt
        self.answers = answers
    }
}

/// What is wrong or thin in the data behind a result, per model.
public struct DataQuality: Codable, Sendable, Equatable {
    public struct ModelCounts: Codable, Sendable, Equatable {
        /// Successful responses used.
        public var responses: Int
        /// Failed requests stored for the probes used (not used).
        public var failed: Int
        /// Responses whose final answer is empty or only whitespace.
        public var empty: Int
        /// Responses cut off by the token limit (finish reason "length").
        public var truncated: Int
        /// Responses with no finish reason recorded: whether they were cut off is unknown.
        /// Nil in results written before it was counted.
        public var finishUnknown: Int?

        public init(responses: Int, failed: Int, empty: Int, truncated: Int, finishUnknown: Int? = 0) {
            self.responses = responses
            self.failed = failed
            self.empty = empty
            self.truncated = truncated
            self.finishUnknown = finishUnknown
        }
    }

    public var models: [String: ModelCounts]
    /// Plain-language notes, e.g. "gpt-4: 3 of 80 answers are empty".
    public var notes: [String]

    public init(models: [String: ModelCounts], notes: [String]) {
        self.models = models
        self.notes = notes
    }
}
