import Foundation

/// The wire formats Lineage speaks.
public enum BackendKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// OpenAI chat completions: OpenAI, vLLM, llama.cpp server, Ollama, DeepSeek, OpenRouter, ...
    case openai
    case anthropic
    case gemini

    public var defaultEndpoint: String {
        switch self {
        case .openai: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com/v1"
        case .gemini: "https://generativelanguage.googleapis.com/v1beta"
        }
    }

    /// The environment variable the API key is read from unless the configuration names another.
    public var defaultKeyVariable: String {
        switch self {
        case .openai: "OPENAI_API_KEY"
        case .anthropic: "ANTHROPIC_API_KEY"
        case .gemini: "GEMINI_API_KEY"
        }
    }
}

/// Price of a model's tokens, in US dollars per million, for `--dry-run` cost estimates.
public struct TokenPrice: Codable, Hashable, Sendable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }
}

/// Everything needed to talk to one model, except its API key (which only ever comes from the
/// environment, at run time, and is never stored).
public struct ModelConfiguration: Codable, Hashable, Sendable {
    /// The name the store and reports use.
    public var name: String
    public var backend: BackendKind
    /// Base URL, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:18081/v1`.
    public var endpoint: String
    /// The model id the provider expects in requests.
    public var providerModelID: String
    /// Sampling defaults for this model; the probe set, the command line and each probe override them.
    public var sampling: SamplingParameters
    /// The environment variable holding the API key (nil: the backend's default variable, optional for `openai`).
    public var apiKeyVariable: String?
    /// Requests in flight at once to this model.
    public var concurrency: Int
    public var requestsPerMinute: Int?
    public var tokensPerMinute: Int?
    /// Seconds one HTTP request may take, from sending to the last byte of the reply.
    public var timeoutSeconds: Double
    /// Attempts per API call, the first included, before the unit is stored as failed.
    public var maxAttempts: Int
    public var price: TokenPrice?
    /// Extra top-level fields merged into every request body (e.g. `cache_prompt: false` for llama.cpp).
    public var extraBody: [String: WireJSON]

    public init(name: String, backend: BackendKind, endpoint: String? = nil, providerModelID: String? = nil,
                sampling: SamplingParameters = .init(), apiKeyVariable: String? = nil, concurrency: Int = 4,
                requestsPerMinute: Int? = nil, tokensPerMinute: Int? = nil, timeoutSeconds: Double = 120,
                maxAttempts: Int = 5, price: TokenPrice? = nil, extraBody: [String: WireJSON] = [:]) {
        self.name = name
        self.backend = backend
        self.endpoint = endpoint ?? backend.defaultEndpoint
        self.providerModelID = providerModelID ?? name
        self.sampling = sampling
        self.apiKeyVariable = apiKeyVariable
        self.concurrency = concurrency
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
        self.timeoutSeconds = timeoutSeconds
        self.maxAttempts = maxAttempts
        self.price = price
        self.extraBody = extraBody
    }

    /// The variable the key is read from.
    public var keyVariable: String { apiKeyVariable ?? backend.defaultKeyVariable }

    /// Whether the endpoint is this machine (a local server needs no key).
    public var isLoopback: Bool {
        guard let host = URL(string: endpoint)?.host?.lowercased() else { return false }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.") || host == "[::1]"
    }

    /// The API key from `environment`. An `openai` endpoint on loopback, or one whose configuration
    /// names no variable and whose default variable is unset on a non-OpenAI host, may go without.
    public func apiKey(from environment: [String: String]) throws -> String? {
        if let key = environment[keyVariable], !key.isEmpty { return key }
        let keyOptional = backend == .openai && apiKeyVariable == nil
            && (isLoopback || URL(string: endpoint)?.host != URL(string: BackendKind.openai.defaultEndpoint)?.host)
        if keyOptional { return nil }
        throw ModelConfigurationError("model \(name): the environment variable \(keyVariable) is not set",
                                      fix: "export \(keyVariable)=... (keys are read from the environment only, never from files or the command line)")
    }
}

public struct ModelConfigurationError: Error, CustomStringConvertible, Sendable {
    public let problem: String
    public let fix: String?
    public init(_ problem: String, fix: String? = nil) {
        self.problem = problem
        self.fix = fix
    }
    public var description: String { fix.map { "\(problem)\n  fix: \($0)" } ?? problem }
}
