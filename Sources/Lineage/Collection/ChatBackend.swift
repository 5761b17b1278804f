import Foundation

/// One message of a conversation as the wire formats see it.
public struct ChatMessage: Codable, Hashable, Sendable {
    public enum Role: String, Codable, Sendable { case system, user, assistant }
    public var role: Role
    public var content: String

    public init(_ role: Role, _ content: String) {
        self.role = role
        self.content = content
    }
}

/// What one API call asks: the conversation so far and how to sample the next answer.
public struct ChatRequest: Hashable, Sendable {
    public var system: String?
    /// User and assistant turns in order, ending with a user turn.
    public var messages: [ChatMessage]
    public var parameters: SamplingParameters
    /// Ask for log-probabilities with this many alternatives per token (0: chosen tokens only), where the API can.
    public var logprobs: Int?

    public init(system: String?, messages: [ChatMessage], parameters: SamplingParameters, logprobs: Int? = nil) {
        self.system = system
        self.messages = messages
        self.parameters = parameters
        self.logprobs = logprobs
    }
}

/// An HTTP request ready to send. `headers` may carry the API key; `body` never does.
public struct HTTPRequestSpec: Sendable {
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data
}

/// A model's answer to one API call.
public struct ChatReply: Hashable, Sendable {
    public var text: String
    public var finishReason: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Log-probabilities as the API returned them, when asked for and given.
    public var logprobs: WireJSON?

    public init(text: String, finishReason: String? = nil, promptTokens: Int? = nil,
                completionTokens: Int? = nil, logprobs: WireJSON? = nil) {
        self.text = text
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.logprobs = logprobs
    }
}

/// A reply body that is not what the API promises (truncated, not JSON, no answer in it).
public struct MalformedReply: Error, CustomStringConvertible, Sendable {
    public let problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { "malformed reply: \(problem)" }
}

/// A model API's wire format: how to ask, and how to read the answer.
public protocol ChatBackend: Sendable {
    func httpRequest(for request: ChatRequest, model: ModelConfiguration, apiKey: String?) -> HTTPRequestSpec
    func parseReply(_ body: Data) throws -> ChatReply
}

extension BackendKind {
    public var wireFormat: any ChatBackend {
        switch self {
        case .openai: OpenAIChatBackend()
        case .anthropic: AnthropicMessagesBackend()
        case .gemini: GeminiBackend()
        }
    }
}

func decodeReplyJSON(_ body: Data) throws -> WireJSON {
    do {
        let value = try WireJSON.decode(body)
        guard value.object != nil else { throw MalformedReply("the body is JSON but not an object") }
        return value
    } catch let error as MalformedReply {
        throw error
    } catch {
        throw MalformedReply("the body is not valid JSON (\(body.count) bytes; truncated?)")
    }
}

/// `base` + `path` with exactly one slash between them.
func joinURL(_ base: String, _ path: String) -> String {
    (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/" + path
}
