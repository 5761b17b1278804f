import Foundation

/// OpenAI's chat completions format (`POST {endpoint}/chat/completions`), which OpenAI, vLLM,
/// llama.cpp's server, Ollama, DeepSeek, Qwen's compatible mode and OpenRouter all speak.
public struct OpenAIChatBackend: ChatBackend {
    public init() {}

    public func httpRequest(for request: ChatRequest, model: ModelConfiguration, apiKey: String?) -> HTTPRequestSpec {
        var messages: [WireJSON] = []
        if let system = request.system {
            messages.append(.object(["role": .string("system"), "content": .string(system)]))
        }
        for message in request.messages {
            messages.append(.object(["role": .string(message.role.rawValue), "content": .string(message.content)]))
        }
        var body: [String: WireJSON] = ["model": .string(model.providerModelID), "messages": .array(messages)]
        let parameters = request.parameters
        if let value = parameters.temperature { body["temperature"] = .number(value) }
        if let value = parameters.topP { body["top_p"] = .number(value) }
        if let value = parameters.maxTokens { body["max_tokens"] = .number(Double(value)) }
        if let value = parameters.seed { body["seed"] = .number(Double(value)) }
        if let count = request.logprobs {
            body["logprobs"] = .bool(true)
            if count > 0 { body["top_logprobs"] = .number(Double(count)) }
        }
        for (key, value) in model.extraBody { body[key] = value }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        return HTTPRequestSpec(url: joinURL(model.endpoint, "chat/completions"), headers: headers,
                               body: WireJSON.object(body).encoded())
    }

    public func parseReply(_ body: Data) throws -> ChatReply {
        let json = try decodeReplyJSON(body)
        guard let choice = json["choices"]?[0] else { throw MalformedReply("no `choices[0]` in the reply") }
        guard let message = choice["message"], let content = message["content"] else {
            throw MalformedReply("no `choices[0].message.content` in the reply")
        }
        let text: String
        switch content {
        case .string(let value): text = value
        case .null: text = ""   // e.g. a refusal or a tool call with no text
        default: throw MalformedReply("`choices[0].message.content` is not text")
        }
        let logprobs = choice["logprobs"].flatMap { $0 == .null ? nil : $0 }
        return ChatReply(text: text, finishReason: choice["finish_reason"]?.string,
                         promptTokens: json["usage"]?["prompt_tokens"]?.int,
                         completionTokens: json["usage"]?["completion_tokens"]?.int,
                         logprobs: logprobs)
    }
}
