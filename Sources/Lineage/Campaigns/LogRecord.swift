import Foundation

/// One API request as a provider's log records it: who asked (the account, i.e. the API key),
/// when, what (the prompt text, or only its hash when the log keeps no text), under which system
/// prompt, what it cost in tokens, and, where the log has them, network and payment fingerprints.
public struct LogRecord: Codable, Sendable, Equatable {
    public var account: String
    /// Seconds since 1970-01-01 UTC, to the millisecond.
    public var time: Double
    public var prompt: String?
    /// A hash of the prompt, for logs that keep no prompt text.
    public var promptHash: String?
    public var system: String?
    public var inputTokens: Int
    public var outputTokens: Int
    public var maxTokens: Int?
    public var model: String
    /// A network fingerprint (an IP block, an ASN, a TLS fingerprint): shared infrastructure.
    public var network: String?
    /// A payment fingerprint (a card hash, a billing account).
    public var payment: String?

    public init(account: String, time: Double, prompt: String?, promptHash: String? = nil, system: String? = nil,
                inputTokens: Int, outputTokens: Int, maxTokens: Int? = nil, model: String,
                network: String? = nil, payment: String? = nil) {
        self.account = account
        self.time = time
        self.prompt = prompt
        self.promptHash = promptHash
        self.system = system
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.maxTokens = maxTokens
        self.model = model
        self.network = network
        self.payment = payment
    }

    enum CodingKeys: String, CodingKey {
        case account, time, prompt, system, model, network, payment
        case promptHash = "prompt_hash", inputTokens = "input_tokens", outputTokens = "output_tokens", maxTokens = "max_tokens"
    }

    /// Milliseconds since the epoch: the integer time every summary uses, so merges are exact.
    public var milliseconds: Int64 { Int64((time * 1000).rounded()) }
}

/// The columns of a log, in the order the CSV writer uses.
public enum LogColumns {
    public static let all = ["account", "time", "prompt", "prompt_hash", "system", "input_tokens", "output_tokens",
                             "max_tokens", "model", "network", "payment"]
}
